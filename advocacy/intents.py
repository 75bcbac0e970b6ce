"""Where each network's "share" opens, with the caption and the tracked link."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from .models import Network


def share_intent_url(
    *, network: str, caption: str, link: str, title: str = "", instance: str = ""
) -> str | None:
    """The URL that opens the network's composer; None for "copy the link".

    Facebook ignores any text it is given, so its caption goes to the
    clipboard in the browser instead.
    """
    text = f"{caption} {link}".strip()
    if network == Network.LINKEDIN:
        return "https://www.linkedin.com/feed/?" + urlencode(
            {"shareActive": "true", "text": text}
        )
    if network == Network.X:
        return "https://x.com/intent/post?" + urlencode({"text": caption, "url": link})
    if network == Network.FACEBOOK:
        return "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": link})
    if network == Network.WHATSAPP:
        return "https://wa.me/?" + urlencode({"text": text})
    if network == Network.EMAIL:
        return f"mailto:?subject={quote(title)}&body={quote(text)}"
    if network == Network.MASTODON and instance:
        return f"https://{instance}/share?" + urlencode({"text": text})
    return None


def mastodon_instance_clean(value: str) -> str:
    """A bare host name such as ``mastodon.social`` from what people type."""
    host = value.strip().lower()
    for prefix in ("https://", "http://"):
        host = host.removeprefix(prefix)
    host = host.split("/", 1)[0].lstrip("@")
    if "@" in host:  # "@me@mastodon.social" → the instance part
        host = host.rsplit("@", 1)[1]
    return host
