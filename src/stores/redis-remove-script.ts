import { COMMON } from './redis-scripts.js';

/** ARGV: prefix, ids... -> number removed. The record goes too, so the ID is unknown afterwards. */
export const REMOVE = `${COMMON}
local removed = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local rec = getrec(id)
  if rec then
    leave(id, rec)
    redis.call('HDEL', P .. ':rec', id)
    removed = removed + 1
  end
end
return removed
`;
