"""An optional summariser behind an OpenAI-compatible HTTP endpoint (a local model server).

Off unless PLENARY_SUMMARISER_URL is set (docs/synthesis.md). When on, each theme's summary is
asked of the model after the extractive one is chosen, and replaces it only when the model
answers; any failure leaves the extractive summary (logged, never raised). Only comments their
authors agreed to publish are ever sent, unless the secretariat has allowed the scope's
private comments to be sent (`ScopeSetting.summarise_private`).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

log = logging.getLogger(__name__)
MAX_COMMENTS = 40  # the theme's comments nearest its centre
MAX_CHARS = 12_000
INSTRUCTIONS = (
    "You summarise feedback that stakeholders sent on a draft code of practice. Write one or "
    "two plain sentences saying what these comments ask for or object to, in the words a "
    "neutral secretariat would use. Do not name people or organisations. Do not add anything "
    "the comments do not say."
)


def configured(config: Any) -> bool:
    return bool(config.get("PLENARY_SUMMARISER_URL"))


def summarise(title: str, texts: Sequence[str], config: Any) -> str | None:
    """The model's summary of a theme's comments (nearest its centre first), or None when the
    endpoint is not configured, fails, times out or answers nothing usable."""
    url = str(config.get("PLENARY_SUMMARISER_URL") or "").rstrip("/")
    if not url or not texts:
        return None
    joined, used = [], 0
    for text in texts[:MAX_COMMENTS]:
        if used + len(text) > MAX_CHARS:
            break
        joined.append(f"- {text}")
        used += len(text)
    body = {
        "model": config.get("PLENARY_SUMMARISER_MODEL") or "default",
        "temperature": 0,
        "messages": [
            {"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": f"Theme: {title}\nComments:\n" + "\n".join(joined)},
        ],
    }
    headers = {"Content-Type": "application/json"}
    if key := config.get("PLENARY_SUMMARISER_KEY"):
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(  # noqa: S310 - an operator-configured http(s) URL
        f"{url}/chat/completions", data=json.dumps(body).encode(), headers=headers,
        method="POST")
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=float(config.get("PLENARY_SUMMARISER_TIMEOUT") or 30)
        ) as response:
            answer = json.loads(response.read().decode("utf-8"))
        content = answer["choices"][0]["message"]["content"]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
        log.warning("summariser unavailable, extractive summary kept: %s", error)
        return None
    text = " ".join(str(content).split())
    return text[:1000] or None
