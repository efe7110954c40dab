import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ChannelOverwriteEditor from '@/components/channel/ChannelOverwriteEditor.vue'
import type { PermissionOverwrite } from '@/models/guild'
import { Permission } from '@/models/permissions'
import { GUILD_ID, MEMBERS, ROLES } from '../support/guild_fixtures'

function mountEditor(overwrites: PermissionOverwrite[], extra: Record<string, unknown> = {}) {
  const wrapper = mount(ChannelOverwriteEditor, {
    props: {
      modelValue: overwrites,
      'onUpdate:modelValue': (value: PermissionOverwrite[]) => wrapper.setProps({ modelValue: value }),
      guildId: GUILD_ID,
      channelType: 0,
      roles: ROLES,
      members: MEMBERS,
      ...extra,
    },
  })
  return wrapper
}

const model = (wrapper: ReturnType<typeof mountEditor>) => wrapper.props('modelValue') as PermissionOverwrite[]

describe('ChannelOverwriteEditor', () => {
  it('turns ✓ / ✗ / / clicks into allow and deny strings for the selected role', async () => {
    const wrapper = mountEditor([])
    expect(wrapper.find('[data-testid="overwrite-row-VIEW_CHANNEL"]').attributes('data-state')).toBe('inherit')

    await wrapper.find('[data-testid="overwrite-deny-VIEW_CHANNEL"]').trigger('click')
    expect(model(wrapper)).toEqual([{ id: GUILD_ID, type: 0, allow: '0', deny: '1024' }])
    expect(wrapper.find('[data-testid="overwrite-row-VIEW_CHANNEL"]').attributes('data-state')).toBe('deny')

    await wrapper.find('[data-testid="overwrite-allow-SEND_MESSAGES"]').trigger('click')
    await wrapper.find('[data-testid="overwrite-allow-BYPASS_SLOWMODE"]').trigger('click')
    expect(model(wrapper)).toEqual([{ id: GUILD_ID, type: 0, allow: String(2048n | Permission.BYPASS_SLOWMODE), deny: '1024' }])

    await wrapper.find('[data-testid="overwrite-inherit-VIEW_CHANNEL"]').trigger('click')
    await wrapper.find('[data-testid="overwrite-deny-SEND_MESSAGES"]').trigger('click')
    expect(model(wrapper)).toEqual([{ id: GUILD_ID, type: 0, allow: String(Permission.BYPASS_SLOWMODE), deny: '2048' }])
    expect(wrapper.find('[data-testid="overwrite-allow-SEND_MESSAGES"]').attributes('aria-pressed')).toBe('false')
    expect(wrapper.find('[data-testid="overwrite-deny-SEND_MESSAGES"]').attributes('aria-pressed')).toBe('true')
  })

  it('adds a role and edits its own overwrite; removes it again', async () => {
    const wrapper = mountEditor([{ id: GUILD_ID, type: 0, allow: '0', deny: '1024' }])
    await wrapper.find('[data-testid="overwrite-add"]').setValue('0:201')
    expect(wrapper.find('[data-testid="overwrite-target-201"]').attributes('aria-pressed')).toBe('true')
    await wrapper.find('[data-testid="overwrite-allow-VIEW_CHANNEL"]').trigger('click')
    expect(model(wrapper)).toEqual([
      { id: GUILD_ID, type: 0, allow: '0', deny: '1024' },
      { id: '201', type: 0, allow: '1024', deny: '0' },
    ])
    await wrapper.find('[aria-label="Remove the permissions of Moderator"]').trigger('click')
    expect(model(wrapper)).toEqual([{ id: GUILD_ID, type: 0, allow: '0', deny: '1024' }])
    expect(wrapper.find('[data-testid="overwrite-target-900"]').attributes('aria-pressed')).toBe('true')
  })

  it('adds a member overwrite with type 1', async () => {
    const wrapper = mountEditor([])
    await wrapper.find('[data-testid="overwrite-add"]').setValue('1:302')
    await wrapper.find('[data-testid="overwrite-deny-ADD_REACTIONS"]').trigger('click')
    expect(model(wrapper)).toEqual([{ id: '302', type: 1, allow: '0', deny: '64' }])
  })

  it('offers only channel permissions for the type, and only those the user may grant', () => {
    const wrapper = mountEditor([], { grantable: Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES })
    expect(wrapper.find('[data-testid="overwrite-row-KICK_MEMBERS"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="overwrite-row-CONNECT"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="overwrite-allow-SEND_MESSAGES"]').attributes('disabled')).toBeUndefined()
    expect(wrapper.find('[data-testid="overwrite-allow-MANAGE_MESSAGES"]').attributes('disabled')).toBeDefined()
  })
})
