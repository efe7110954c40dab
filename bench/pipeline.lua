-- wrk script: sends PIPELINE_DEPTH requests back to back on each connection before reading,
-- as HTTP/1.1 pipelining allows (TechEmpower's plaintext test uses a depth of 16).
local depth = 16
init = function(args)
  local requests = {}
  for request_idx = 1, depth do
    requests[request_idx] = wrk.format(nil, wrk.path)
  end
  pipelined = table.concat(requests)
end
request = function()
  return pipelined
end
