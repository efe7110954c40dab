import { describe, expect, it } from 'vitest'
import { isJumboEmoji, MAX_PARSED_LENGTH, parseMessage, toInline } from '@/markdown'
import { MAX_INLINE_DEPTH } from '@/markdown/parser'
import { inlines, outline } from '../support/markdown_outline'

const parse = (content: string) => outline(parseMessage(content))

describe('parseMessage: inline formatting', () => {
  it.each([
    ['**bold**', 'p[b["bold"]]'],
    ['*italic* and _italic_', 'p[i["italic"] " and " i["italic"]]'],
    ['__underline__', 'p[u["underline"]]'],
    ['~~strike~~', 'p[s["strike"]]'],
    ['||spoiler||', 'p[spoiler["spoiler"]]'],
    ['|| spaced spoiler ||', 'p[spoiler[" spaced spoiler "]]'],
    ['a ||one|| b ||two||', 'p["a " spoiler["one"] " b " spoiler["two"]]'],
    ['a||b||c', 'p["a" spoiler["b"] "c"]'],
    ['a || b', 'p["a || b"]'],
    ['|||odd|||', 'p["|" spoiler["odd"] "|"]'],
    ['`code`', 'p[code"code"]'],
    ['`` a `b` c ``', 'p[code"a `b` c"]'],
    ['`**not bold**`', 'p[code"**not bold**"]'],
    ['***bold italic***', 'p[i[b["bold italic"]]]'],
    ['___underline italic___', 'p[i[u["underline italic"]]]'],
    ['__*u i*__', 'p[u[i["u i"]]]'],
    ['**bold ||spoiler `code`||**', 'p[b["bold " spoiler["spoiler " code"code"]]]'],
    ['snake_case_name', 'p["snake_case_name"]'],
    ['\\*not italic\\*', 'p["*not italic*"]'],
    ['2 * 3 * 4', 'p["2 * 3 * 4"]'],
  ])('%j', (content, expected) => {
    expect(parse(content)).toBe(expected)
  })
})

describe('parseMessage: lines and blocks', () => {
  it('keeps every newline: a single one is a line break, blank lines stay', () => {
    expect(parse('one\ntwo')).toBe('p["one" br "two"]')
    expect(parse('one\n\ntwo')).toBe('p["one"] blank p["two"]')
    expect(parse('one\n\n\n\ntwo')).toBe('p["one"] blank blank blank p["two"]')
  })

  it('reads headings only at the start of a line, 1 to 3 hashes and a space', () => {
    expect(parse('# One\n## Two\n### Three')).toBe('h1["One"] h2["Two"] h3["Three"]')
    expect(parse('#### Four')).toBe('p["#### Four"]')
    expect(parse('#NoSpace')).toBe('p["#NoSpace"]')
    expect(parse('#')).toBe('p["#"]')
    expect(parse('text # not a heading')).toBe('p["text # not a heading"]')
    expect(parse('before\n# After')).toBe('p["before"] h1["After"]')
    expect(parse('# **bold** heading')).toBe('h1[b["bold"] " heading"]')
  })

  it('reads -# as subtext', () => {
    expect(parse('-# small print')).toBe('sub["small print"]')
    expect(parse('-#nospace')).toBe('p["-#nospace"]')
    expect(parse('text\n-# under it')).toBe('p["text"] sub["under it"]')
  })

  it('quotes one line per "> ", with no lazy continuation and no nesting', () => {
    expect(parse('> quoted')).toBe('quote[p["quoted"]]')
    expect(parse('> one\n> two\nafter')).toBe('quote[p["one" br "two"]] p["after"]')
    expect(parse('>no space')).toBe('p[">no space"]')
    expect(parse('> > nested')).toBe('quote[p["> nested"]]')
    expect(parse('before\n> quoted')).toBe('p["before"] quote[p["quoted"]]')
    expect(parse('> # heading in a quote')).toBe('quote[h1["heading in a quote"]]')
    expect(parse('> - item')).toBe('quote[ul[li[p["item"]]]]')
  })

  it('quotes the rest of the message after ">>> "', () => {
    expect(parse('>>> all\nof\n\nthis')).toBe('quote[p["all" br "of"] blank p["this"]]')
    expect(parse('before\n>>> rest\n> still the same quote')).toBe('p["before"] quote[p["rest" br "> still the same quote"]]')
    expect(parse('> one line\n>>> then the rest\nhere')).toBe('quote[p["one line"]] quote[p["then the rest" br "here"]]')
    expect(parse('>>>nospace')).toBe('p[">>>nospace"]')
  })

  it('reads -, * and numbered lists, nested by indentation', () => {
    expect(parse('- a\n- b')).toBe('ul[li[p["a"]] li[p["b"]]]')
    expect(parse('* a\n* b')).toBe('ul[li[p["a"]] li[p["b"]]]')
    expect(parse('1. one\n2. two')).toBe('ol(1)[li[p["one"]] li[p["two"]]]')
    expect(parse('3. three\n4. four')).toBe('ol(3)[li[p["three"]] li[p["four"]]]')
    expect(parse('- a\n  - nested')).toBe('ul[li[p["a"] ul[li[p["nested"]]]]]')
    expect(parse('-not a list')).toBe('p["-not a list"]')
  })

  it('ends a list item at a line indented less than it (no lazy continuation)', () => {
    expect(parse('- a\nafter')).toBe('ul[li[p["a"]]] p["after"]')
    expect(parse('- a\n  continued')).toBe('ul[li[p["a" br "continued"]]]')
    expect(parse('- a\n```\ncode\n```')).toBe('ul[li[p["a"]]] codeblock()"code"')
    expect(parse('- a\n  ```\n  code\n  ```')).toBe('ul[li[p["a"] codeblock()"code"]]')
  })

  it('reads fenced code with an optional language, closed anywhere', () => {
    expect(parse('```js\nconst a = 1\n```')).toBe('codeblock(js)"const a = 1"')
    expect(parse('```\nplain\n```')).toBe('codeblock()"plain"')
    expect(parse('```py\nprint(1)```')).toBe('codeblock(py)"print(1)"')
    expect(parse('```one line```')).toBe('codeblock()"one line"')
    expect(parse('```code``` then text')).toBe('codeblock()"code" p["then text"]')
    expect(parse('```\n  indented\n\n  kept\n```')).toBe('codeblock()"  indented\\n\\n  kept"')
    expect(parse('```\n**not bold** <@1>\n```')).toBe('codeblock()"**not bold** <@1>"')
    expect(parse('text\n```\ncode\n```\nmore')).toBe('p["text"] codeblock()"code" p["more"]')
    expect(parse('```hello world\nsecond line```')).toBe('codeblock()"hello world\\nsecond line"')
  })

  it('leaves an unclosed fence as text', () => {
    expect(parse('```js\nnever closed')).toBe('p["```js" br "never closed"]')
  })

  it('has no tables, images, rules, setext headings, indented code or raw HTML', () => {
    expect(parse('| a | b |\n|---|---|\n| 1 | 2 |')).toBe('p["| a | b |" br "|---|---|" br "| 1 | 2 |"]')
    expect(parse('![alt](https://example.com/a.png)')).toBe('p["!" link(https://example.com/a.png masked)["alt"]]')
    expect(parse('---')).toBe('p["---"]')
    expect(parse('Title\n===')).toBe('p["Title" br "==="]')
    expect(parse('    four spaces')).toBe('p["four spaces"]')
    expect(parse('<b>bold</b>')).toBe('p["<b>bold</b>"]')
    expect(parse('&amp; &lt;')).toBe('p["&amp; &lt;"]')
  })
})

describe('parseMessage: links', () => {
  it('turns [text](url) into a masked link for http(s) only', () => {
    expect(parse('[Hearth](https://hearth.example/docs)')).toBe('p[link(https://hearth.example/docs masked)["Hearth"]]')
    expect(parse('[**bold** text](http://a.example)')).toBe('p[link(http://a.example/ masked)[b["bold"] " text"]]')
    expect(parse('[x](javascript:alert(1))')).toBe('p["[x](javascript:alert(1))"]')
    expect(parse('[x](/relative)')).toBe('p["[x](/relative)"]')
    expect(parse('[x](//evil.example)')).toBe('p["[x](//evil.example)"]')
  })

  it('links bare http(s) and mailto URLs, not bare domains or other schemes', () => {
    expect(parse('see https://example.com/a?b=1.')).toBe('p["see " link(https://example.com/a?b=1)["https://example.com/a?b=1"] "."]')
    expect(parse('mailto:ada@example.com')).toBe('p[link(mailto:ada@example.com)["mailto:ada@example.com"]]')
    expect(parse('example.com www.example.com ada@example.com')).toBe('p["example.com www.example.com ada@example.com"]')
    expect(parse('ftp://example.com //example.com')).toBe('p["ftp://example.com //example.com"]')
  })

  it('marks <url> links as not wanting an embed', () => {
    expect(parse('<https://example.com>')).toBe('p[link(https://example.com/ noembed)["https://example.com"]]')
    expect(parse('<javascript:alert(1)>')).toBe('p["<javascript:alert(1)>"]')
  })

  it('never nests a link in a link', () => {
    expect(parse('[<https://a.example>](https://b.example)')).toBe('p[link(https://b.example/ masked)["https://a.example"]]')
  })
})

describe('parseMessage: mentions and emoji', () => {
  it('reads user, role and channel mentions with numeric ids', () => {
    expect(parse('<@80351110224678912> <@!42> <@&165511591545143296> <#41771983423143937>')).toBe(
      'p[@user:80351110224678912 " " @user:42 " " @role:165511591545143296 " " #channel:41771983423143937]',
    )
    expect(parse('<@abc> <@> <#12a> <@&>')).toBe('p["<@abc> <@> <#12a> <@&>"]')
  })

  it('reads @everyone and @here, not inside words', () => {
    expect(parse('@everyone hi @here.')).toBe('p[@everyone " hi " @here "."]')
    expect(parse('me@here.com @everyones @hereafter')).toBe('p["me@here.com @everyones @hereafter"]')
  })

  it('keeps mentions out of link text', () => {
    expect(parse('[<@1>](https://a.example)')).toBe('p[link(https://a.example/ masked)["<@1>"]]')
  })

  it('turns known :shortcodes: into emoji and leaves the rest', () => {
    expect(parse(':joy: :thumbsup::+1: :heart:')).toBe('p[emoji(joy 😂) " " emoji(thumbsup 👍) emoji(+1 👍) " " emoji(heart ❤️)]')
    expect(parse(':not_an_emoji: 12:30:45 :JOY:')).toBe('p[":not_an_emoji: 12:30:45 :JOY:"]')
    expect(parse('`:joy:`')).toBe('p[code":joy:"]')
  })
})

describe('toInline', () => {
  it('gives one line: blocks joined by spaces, breaks as spaces, code blocks inline', () => {
    const tree = parseMessage('# Title\n> quoted **bold**\nline\n```js\na()\nb()\n```\n- item ||secret||')
    expect(inlines(toInline(tree))).toBe('"Title quoted " b["bold"] " line " code"a() b()" " item " spoiler["secret"]')
  })

  it('keeps mentions, emoji and links', () => {
    expect(inlines(toInline(parseMessage('<@1> :joy: https://a.example')))).toBe(
      '@user:1 " " emoji(joy 😂) " " link(https://a.example/)["https://a.example"]',
    )
  })
})

describe('isJumboEmoji', () => {
  it('is true for a message of emoji only, typed or as shortcodes, up to 27', () => {
    expect(isJumboEmoji(parseMessage(':joy:'))).toBe(true)
    expect(isJumboEmoji(parseMessage('😂 👍🏽 🏳️‍🌈 🇫🇷 1️⃣ :heart:'))).toBe(true)
    expect(isJumboEmoji(parseMessage(':joy:'.repeat(27)))).toBe(true)
  })

  it('is false with any text, more than 27 emoji, or nothing', () => {
    expect(isJumboEmoji(parseMessage(':joy: ok'))).toBe(false)
    expect(isJumboEmoji(parseMessage(':joy:'.repeat(28)))).toBe(false)
    expect(isJumboEmoji(parseMessage('123'))).toBe(false)
    expect(isJumboEmoji(parseMessage(''))).toBe(false)
    expect(isJumboEmoji(parseMessage('> :joy:'))).toBe(false)
  })
})

describe('parseMessage: limits', () => {
  it('parses at most MAX_PARSED_LENGTH characters and shows the rest as text', () => {
    const content = `${'a'.repeat(MAX_PARSED_LENGTH)}**b**`
    const tree = parseMessage(content)
    expect(tree.children).toHaveLength(2)
    expect(outline({ type: 'root', children: tree.children.slice(1) })).toBe('p["**b**"]')
  })

  it('survives deep nesting without throwing', () => {
    expect(() => parseMessage('- '.repeat(500) + 'x')).not.toThrow()
    expect(() => parseMessage('*'.repeat(5000) + 'x' + '*'.repeat(5000))).not.toThrow()
    expect(() => parseMessage('>>> '.repeat(500))).not.toThrow()
    expect(() => parseMessage('['.repeat(3000) + 'x' + ']('.repeat(3000))).not.toThrow()
  })

  it('drops formatting nested deeper than MAX_INLINE_DEPTH, keeping the text', () => {
    const tree = parseMessage(`${'*'.repeat(200)}x${'*'.repeat(200)}`)
    let depth = 0
    let nodes = tree.children[0]!.type === 'paragraph' ? tree.children[0]!.children : []
    while (nodes.length === 1 && 'children' in nodes[0]!) {
      depth++
      nodes = nodes[0]!.children
    }
    expect(depth).toBe(MAX_INLINE_DEPTH)
    expect(nodes).toEqual([{ type: 'text', value: 'x' }])
  })

  it('is pure: the same content gives an equal tree', () => {
    const content = '**a** ||b|| <@1> :joy:\n> q\n```js\nx\n```'
    expect(parseMessage(content)).toEqual(parseMessage(content))
  })
})

// The whole tree for one message using every syntax, as a snapshot (reviewed by hand).
describe('parseMessage: snapshot', () => {
  it('matches the reviewed tree', () => {
    const content = [
      '# Release notes',
      '-# posted by the bot',
      '**Bold**, *italic*, __underline__, ~~strike~~, ||spoiler||, `code`.',
      '> one quoted line',
      '- first',
      '- second',
      '  1. nested',
      '```ts',
      'const x: number = 1',
      '```',
      'Ask <@1> or <@&2> in <#3>, @here :wave: [docs](https://hearth.example/docs) <https://hearth.example>',
      '',
      '>>> the rest',
      'is quoted',
    ].join('\n')
    expect(parseMessage(content)).toMatchSnapshot()
  })
})
