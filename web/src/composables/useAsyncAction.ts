// Runs one async action at a time and exposes its progress as an explicit union.
import { computed, ref } from 'vue'
import { ApiError } from '@/api/client'

export type AsyncStatus = 'idle' | 'loading' | 'done' | 'error'

export function useAsyncAction<Args extends unknown[], Result>(action: (...args: Args) => Promise<Result>) {
  const status = ref<AsyncStatus>('idle')
  const error = ref<ApiError | null>(null)

  async function run(...args: Args): Promise<Result | undefined> {
    if (status.value === 'loading') return undefined
    status.value = 'loading'
    error.value = null
    try {
      const result = await action(...args)
      status.value = 'done'
      return result
    } catch (caught) {
      error.value =
        caught instanceof ApiError ? caught : new ApiError(0, 'Something went wrong. Please try again.')
      status.value = 'error'
      return undefined
    }
  }

  return {
    status,
    error,
    isLoading: computed(() => status.value === 'loading'),
    run,
  }
}
