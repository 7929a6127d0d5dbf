"""The image fields a crawl asks for, and what happens when the API rejects one.

The API's field set drifts: a field it no longer knows is answered 400 code 100
"Tried accessing nonexisting field (NAME) on node type (image)", which fails the
whole request. An optional field is then dropped from every later request of the
run (one warning names it; its column stays NULL); a required one stops the run,
since no record could be stored without it.
"""

from __future__ import annotations

import logging

from etl.errors import RunFailure
from etl.mapillary.parsing import IMAGE_FIELDS, REQUIRED_FIELDS

log = logging.getLogger(__name__)

# where a field ends up, for the warning (most fields are their own column)
_COLUMNS = {
    "sequence": "sequence_id", "creator": "creator_id, creator_username",
    "computed_geometry": "geom_is_computed (positions fall back to geometry)",
}


class RequiredFieldRejected(RunFailure):
    """The API no longer serves a field without which no image can be stored."""


class FieldSet:
    """The fields of this run's image requests; shared by every task of the run."""

    def __init__(self, fields: str = IMAGE_FIELDS) -> None:
        self._fields = [f for f in fields.split(",") if f]
        self.query = ",".join(self._fields)
        self.dropped: list[str] = []

    def reject(self, name: str, sent: str, message: str) -> None:
        """Handle the API's rejection of `name` in a request that asked for `sent`.

        Returns when the request is worth sending again with `self.query`; raises
        RequiredFieldRejected for a required field, ValueError for a field that was
        not asked for (the same request would be rejected again).
        """
        if name in REQUIRED_FIELDS:
            raise RequiredFieldRejected(
                f"the Mapillary API rejected the required image field {name!r} ({message})",
                hint="no image can be stored without it; this version of mlyetl cannot crawl this API: "
                     "look for a newer one")
        if name not in sent.split(","):
            raise ValueError(f"the API rejected the field {name!r}, which was not asked for ({message})")
        if name in self._fields:  # several tasks may meet the same rejection at once: warn once
            self._fields.remove(name)
            self.query = ",".join(self._fields)
            self.dropped.append(name)
            log.warning("the Mapillary API rejected the image field %r (%s); it is left out of the rest of this "
                        "run and %s stays empty", name, message, _COLUMNS.get(name, name))
