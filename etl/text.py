"""Text cleaning shared by the loaders: HTML to plain text, name normalisation, safe URLs, personal data."""
from __future__ import annotations

import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]*>", re.S)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_WS = re.compile(r"\s+")
_LEGAL_FORMS = re.compile(r"\b(ry|r\.y\.|rf|r\.f\.|sr|s\.r\.|säätiö|stiftelse|ry\.)$", re.I)
# the lookbehind lets a match start only at the start of a token: linear time, not O(n²) on long tokens
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<!\d)(\+358|0)[\s-]?\d{1,3}[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)")


_NON_WORD = re.compile(r"[^\w\s]")
_TRAILING_FORM = re.compile(r"\b(ry|rf|sr|r y|r f|s r)$")
_SCRIPT_OPEN = re.compile(r"<(script|style)\b", re.I)
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def _strip_scripts(s: str) -> str:
    """`<script>…</script>` and `<style>…</style>` removed, an unclosed one up to the end; linear time."""
    low, out, i = s.lower(), [], 0
    while m := _SCRIPT_OPEN.search(s, i):
        out.append(s[i:m.start()] + " ")
        end = low.find("</" + m.group(1).lower(), m.end())
        if end < 0:
            return "".join(out)
        close = s.find(">", end)
        i = len(s) if close < 0 else close + 1
    return "".join(out) + s[i:]


def _strip_tags(s: str) -> str:
    """re.sub(r"<[^>]*>", " ", s) in linear time: once no '>' follows a '<', no later '<' can close either."""
    out, i = [], 0
    while (j := s.find("<", i)) >= 0 and (k := s.find(">", j)) >= 0:
        out.append(s[i:j] + " ")
        i = k + 1
    return "".join(out) + s[i:]


def plain_text(value: object, max_len: int | None = None) -> str | None:
    """HTML or markup to plain text: tags and scripts removed, entities decoded, whitespace folded."""
    if value is None:
        return None
    s = str(value)
    if not s.strip():
        return None
    s = _strip_tags(_strip_scripts(s))
    s = html.unescape(s)
    s = _strip_tags(s)  # entities that decoded into tags
    s = _TAG_OPEN.sub("", s)  # what is left of an unclosed tag (`<img src=x onerror=...`) is not a tag any more
    if not s.isprintable():   # printable: no character of Unicode's "Other" (C*) categories, nothing to drop
        s = "".join(ch for ch in s if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    s = _WS.sub(" ", s).strip()
    if max_len and len(s) > max_len:
        s = s[: max_len - 1].rstrip() + "…"
    return s or None


def normalise_name(value: object) -> str:
    """A matching key for organisation names: case, accents kept (ä≠a), punctuation and legal form removed."""
    s = plain_text(value) or ""
    s = unicodedata.normalize("NFC", s).lower()
    s = _NON_WORD.sub(" ", s)
    s = _WS.sub(" ", s).strip()
    s = _TRAILING_FORM.sub("", s).strip()
    return s


def safe_url(value: object) -> str | None:
    """Keep only http(s) URLs; anything else (javascript:, data:, relative) becomes None."""
    if value is None:
        return None
    s = str(value).strip()
    if re.match(r"^https?://[^\s<>\"'\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]+$", s, re.I):
        return s
    return None


def is_personal_email(value: str) -> bool:
    """firstname.lastname@ style addresses are treated as personal; info@, toimisto@ etc. are not."""
    local = value.split("@", 1)[0].lower()
    generic = ("info", "toimisto", "office", "kansli", "contact", "yhteys", "palaute", "asiakaspalvelu", "tiedotus",
               "posti", "admin", "neuvonta", "jasen", "jäsen", "kirjaamo", "hallinto", "tuki", "help")
    if any(local.startswith(g) for g in generic):
        return False
    return "." in local or "_" in local


def scrub_personal(text: str | None) -> str | None:
    """Remove e-mail addresses and phone numbers from free text (contact persons are never stored)."""
    if not text:
        return text
    text = EMAIL.sub("[sähköposti poistettu]", text)
    return PHONE.sub("[puhelin poistettu]", text)


def clip(text: str | None, limit: int) -> str | None:
    """`text` with its personal data scrubbed, then cut to `limit` characters ending in "…" when longer. Scrubbing
    comes first: an e-mail address or phone number cut at the limit would no longer match and would slip through."""
    if not text:
        return text
    text = scrub_personal(text) or ""
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
