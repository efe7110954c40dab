import { describe, expect, it } from 'vitest'
import { composerKeyAction, editorKeyAction, highlightDraft, replaceRange, shortcodeQuery } from '@/models/composer'

const idle = { content: 'hello', suggesting: false, replying: false }

describe('composer keys', () => {
  it('sends on Enter, leaves Shift+Enter to the textarea (a new line)', () => {
    expect(composerKeyAction({ key: 'Enter' }, idle)).toBe('send')
    expect(composerKeyAction({ key: 'Enter', shiftKey: true }, idle)).toBe('none')
    expect(composerKeyAction({ key: 'Enter', isComposing: true }, idle)).toBe('none')
  })

  it('edits the last message on Up only when the box is empty', () => {
    expect(composerKeyAction({ key: 'ArrowUp' }, { ...idle, content: '' })).toBe('edit-last')
    expect(composerKeyAction({ key: 'ArrowUp' }, idle)).toBe('none')
    expect(composerKeyAction({ key: 'ArrowUp', altKey: true }, { ...idle, content: '' })).toBe('none')
  })

  it('leaves reply mode on Escape', () => {
    expect(composerKeyAction({ key: 'Escape' }, { ...idle, replying: true })).toBe('cancel-reply')
    expect(composerKeyAction({ key: 'Escape' }, idle)).toBe('none')
  })

  it('moves in emoji suggestions and picks with Enter or Tab while they show', () => {
    const suggesting = { ...idle, suggesting: true, replying: true }
    expect(composerKeyAction({ key: 'ArrowDown' }, suggesting)).toBe('suggest-next')
    expect(composerKeyAction({ key: 'ArrowUp' }, { ...suggesting, content: '' })).toBe('suggest-previous')
    expect(composerKeyAction({ key: 'Enter' }, suggesting)).toBe('suggest-pick')
    expect(composerKeyAction({ key: 'Tab' }, suggesting)).toBe('suggest-pick')
    expect(composerKeyAction({ key: 'Escape' }, suggesting)).toBe('suggest-close')
    expect(composerKeyAction({ key: 'Enter', shiftKey: true }, suggesting)).toBe('none')
  })

  it('saves an edit on Enter and cancels on Escape', () => {
    expect(editorKeyAction({ key: 'Enter' })).toBe('save')
    expect(editorKeyAction({ key: 'Enter', shiftKey: true })).toBe('none')
    expect(editorKeyAction({ key: 'Escape' })).toBe('cancel')
  })
})

describe(':shortcode suggestions', () => {
  it('finds the shortcode being typed before the caret, from two characters on', () => {
    expect(shortcodeQuery('hi :jo', 6)).toEqual({ start: 3, query: 'jo' })
    expect(shortcodeQuery(':thumbs', 7)).toEqual({ start: 0, query: 'thumbs' })
    expect(shortcodeQuery('(:+1', 4)).toEqual({ start: 1, query: '+1' })
    expect(shortcodeQuery('hi :j', 5)).toBeNull()
    expect(shortcodeQuery('at 10:30', 8)).toBeNull()
    expect(shortcodeQuery('https://x', 9)).toBeNull()
    expect(shortcodeQuery(':joy: ok', 8)).toBeNull()
    // The caret decides: text after it does not count.
    expect(shortcodeQuery('a :sm and more', 5)).toEqual({ start: 2, query: 'sm' })
  })

  it('replaces the typed shortcode and puts the caret after what went in', () => {
    expect(replaceRange('hi :jo there', 3, 6, '😂 ')).toEqual({ text: 'hi 😂  there', caret: 6 })
  })
})

describe('Markdown as typed', () => {
  const show = (text: string) => highlightDraft(text).map((segment) => `${segment.kind}:${segment.text}`)

  it('marks the markers and styles what is inside, keeping every character', () => {
    expect(show('a **bold** and `code`')).toEqual([
      'text:a ',
      'marker:**',
      'strong:bold',
      'marker:**',
      'text: and ',
      'marker:`',
      'code:code',
      'marker:`',
    ])
    expect(show('__u__ ~~s~~ ||x|| *i*')).toEqual([
      'marker:__',
      'underline:u',
      'marker:__',
      'text: ',
      'marker:~~',
      'strike:s',
      'marker:~~',
      'text: ',
      'marker:||',
      'spoiler:x',
      'marker:||',
      'text: ',
      'marker:*',
      'text:i',
      'marker:*',
    ])
    expect(show('> quoted <@123> hi @everyone')).toEqual(['quote:> ', 'text:quoted ', 'mention:<@123>', 'text: hi ', 'mention:@everyone'])
    expect(show('```js\nlet **x**\n```')).toEqual(['marker:```', 'code:js\nlet **x**\n', 'marker:```'])
  })

  it('leaves unfinished or spaced markers as text', () => {
    expect(show('2 * 3 * 4')).toEqual(['text:2 * 3 * 4'])
    expect(show('**open')).toEqual(['text:**open'])
    expect(show('a ** b **')).toEqual(['text:a ** b **'])
  })

  it('always joins back to the draft', () => {
    for (const text of ['', 'plain', '**a** *b* __c__ `d` ~~e~~ ||f|| <#1> > g', '```\nunclosed', '>>> all\nof it']) {
      expect(highlightDraft(text).map((segment) => segment.text).join('')).toBe(text)
    }
  })
})
