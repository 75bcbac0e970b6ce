"""``bench._http_load`` counting 302 answers, what ``/s/`` gives, as the successes.

Same arguments and output; any other status (200 included) counts in ``non_200``.
"""

from __future__ import annotations

import asyncio

from bench import _http_load

EXPECTED = 302
_read_response = _http_load.read_response


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    status, close = await _read_response(reader)
    if status == EXPECTED:
        return 200, close
    return (0 if status == 200 else status), close


_http_load.read_response = read_response

if __name__ == "__main__":
    _http_load.main()
