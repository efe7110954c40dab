// The signed-in session. Accounts arrive in a later issue; until then this
// only holds a token a successful login might return, in memory.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '@/api/client'

export const useSessionStore = defineStore('session', () => {
  const token = ref<string | null>(null)
  const isSignedIn = computed(() => token.value !== null)

  api.setTokenGetter(() => token.value)

  function signIn(newToken: string): void {
    token.value = newToken
  }

  function signOut(): void {
    token.value = null
  }

  return { token, isSignedIn, signIn, signOut }
})
