-- wrk script for the message-create benchmark: POST /api/v1/channels/{id}/messages as the bench
-- server's owner (token in HEARTH_BENCH_TOKEN), the same small message every time.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HEARTH_BENCH_TOKEN")
wrk.body = '{"content":"bench message create"}'
