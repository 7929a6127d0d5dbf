"""Where the Mapillary token comes from: MAPILLARY_TOKEN, a token file, or --token.

The environment variable or a file (MAPILLARY_TOKEN_FILE / --token-file, mode
0600) are the recommended ways: a --token flag shows in process lists.
"""

from __future__ import annotations

from pathlib import Path

from etl.errors import UserInputError

GET_ONE = "get one at https://www.mapillary.com/dashboard/developers"


def resolve_token(token: str | None, token_file: Path | None) -> str:
    if token and token_file:
        raise UserInputError("both a token and a token file were given", hint="use one of them")
    if token_file:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise UserInputError(f"cannot read the token file {token_file}: {error.strerror}",
                                 hint="check the path in --token-file / MAPILLARY_TOKEN_FILE") from None
    token = (token or "").strip()
    if not token:
        raise UserInputError("no Mapillary token", hint=f"set MAPILLARY_TOKEN or MAPILLARY_TOKEN_FILE ({GET_ONE})")
    if any(c.isspace() for c in token):
        raise UserInputError("the Mapillary token contains spaces or line breaks",
                             hint="the token is one word, like MLY|1234|abcd...")
    return token
