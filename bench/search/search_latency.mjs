// Times GET .../messages/search for `make bench`'s search part (bench/search/parts.sh): each case
// asked REQUESTS times one after another on one keep-alive connection (after WARMUP unmeasured),
// cycling through its queries. Prints one line per case: name, total_results of its first query,
// p50 and p99 in ms, and the requests that did not answer 200.
//
//   node bench/search/search_latency.mjs <base url> <token> <guild id> <author id> <requests> <warmup>
const [base, token, guild, author, requestsText, warmupText] = process.argv.slice(2)
const requests = Number(requestsText)
const warmup = Number(warmupText)

// The seeded vocabulary (bench/search/parts.sh): `common` words are in 1 message of 50, `rare`
// ones in 1 of 9973 (the last word is typed halfway, so it matches as a prefix).
const cases = [
  { name: 'rare word', queries: ['kestrel', 'quince', 'zephyr', 'marmot'].map((word) => ({ content: word })) },
  { name: 'rare + prefix', queries: ['kestrel wal', 'quince hon', 'zephyr ora', 'marmot sil'].map((content) => ({ content })) },
  { name: 'common, relevance', queries: ['apple', 'river', 'stone', 'cloud'].map((word) => ({ content: word })) },
  { name: 'common, by time', queries: ['apple', 'river', 'stone', 'cloud'].map((word) => ({ content: word, sort_by: 'timestamp' })) },
  { name: 'common, page 40', queries: ['apple', 'river'].map((word) => ({ content: word, sort_by: 'timestamp', offset: 975 })) },
  { name: 'author only', queries: [{ author_id: author }] },
  { name: 'author + word', queries: [{ author_id: author, content: 'river' }] },
]

async function ask(params) {
  const query = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)]))
  const started = process.hrtime.bigint()
  const response = await fetch(`${base}/api/v1/guilds/${guild}/messages/search?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const body = await response.text()
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  return { ms, ok: response.status === 200, body }
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

for (const { name, queries } of cases) {
  const first = await ask(queries[0])
  const total = first.ok ? JSON.parse(first.body).total_results : -1
  for (let n = 0; n < warmup; n += 1) await ask(queries[n % queries.length])
  const times = []
  let failed = 0
  for (let n = 0; n < requests; n += 1) {
    const answer = await ask(queries[n % queries.length])
    times.push(answer.ms)
    if (!answer.ok) failed += 1
  }
  times.sort((a, b) => a - b)
  console.log(`${name}\t${total}\t${percentile(times, 50).toFixed(2)}\t${percentile(times, 99).toFixed(2)}\t${failed}`)
}
