"""Signing the ledger's checkpoint when work that wrote to it ends: a request, a
command, or a background issuing job (DESIGN §10: after writes, at most one a
second)::

    sign_pending(app.config, wait=False)   # a request never waits
    sign_pending(app.config, wait=True)    # a command or a job waits out the second
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from . import db
from .keys import cached_signer
from .transparency import checkpoints, log

logger = logging.getLogger(__name__)


def sign_pending(config: Mapping[str, Any], *, wait: bool) -> None:
    """Sign a checkpoint if this thread appended leaves since its last one; one
    that did not costs nothing. A failure is logged, never raised: the writes
    stand, and the next request signs."""
    if not log.grew():
        return
    try:
        database = db.connection(config["DATABASE"])
        signer = cached_signer(database, config["KEYS_DIR"], config["KEY_PASSPHRASE"], "ledger")
        checkpoints.after_writes(database, signer,
                                 checkpoints.origin_for(config["OFFICIAL_DOMAIN"]), wait=wait)
    except Exception:  # noqa: BLE001
        logger.exception("could not sign a ledger checkpoint")
