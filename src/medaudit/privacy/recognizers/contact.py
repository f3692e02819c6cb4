"""Contact details: phone numbers, e-mail, URL, IP address and social-media handles."""

from __future__ import annotations

from presidio_analyzer import Pattern

from medaudit.privacy.checksums import valid_ipv4
from medaudit.privacy.filters import followed_by_unit
from medaudit.privacy.recognizers.base import ChinesePatternRecognizer
from medaudit.privacy.recognizers.ids import NA, NB, _labelled


class ZhPhoneRecognizer(ChinesePatternRecognizer):
    """Mobile numbers (1[3-9]x, with +86, spaces or dashes) and landlines with an area code."""

    ENTITY = "PHONE"

    def __init__(self) -> None:
        cc = r"(?:(?:[(（](?:\+|00)86[)）]|(?:\+|00)86)[ -]?|86[ -]?)?"
        super().__init__([
            Pattern("mobile", NB + cc + r"1[3-9]\d(?:[ -]?\d{4}){2}" + NA, 0.75),
            Pattern("mobile_344", NB + cc + r"1[3-9]\d[ -]\d{3}[ -]\d{5}" + NA, 0.6),
            Pattern("landline_cc", r"(?:[(（](?:\+|00)86[)）]|(?:\+|00)86)[ -]?"
                    r"[1-9]\d{1,2}[ -]?[2-9]\d{6,7}"
                    + NA, 0.7),
            Pattern("landline", NB + r"(?:0\d{2,3}[ -]?|[(（]0\d{2,3}[)）] ?)"
                    r"[2-9]\d{2,3}[ -]?\d{4}(?:(?:-|转|ext\.?)\d{1,5})?" + NA, 0.6),
            Pattern("service", NB + r"[48]00[ -]?\d{3}[ -]?\d{4}" + NA, 0.4),
            Pattern("local", NB + r"[2-9]\d{3}[ -]?\d{4}" + NA, 0.15),
        ])

    def keep(self, text: str, start: int, end: int) -> bool:
        return not followed_by_unit(text, end)


class ZhEmailRecognizer(ChinesePatternRecognizer):
    """E-mail addresses (the local part may not contain CJK characters)."""

    ENTITY = "EMAIL"

    def __init__(self) -> None:
        super().__init__([
            Pattern("email", r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+"
                    r"(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z])", 1.0),
        ])


_URL_BODY = r"[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\"'<>()（）\[\]{}]+"


class ZhUrlRecognizer(ChinesePatternRecognizer):
    """URLs with a scheme or www., and bare domains under common top-level domains."""

    ENTITY = "URL"

    def __init__(self) -> None:
        super().__init__([
            Pattern("scheme", r"(?:https?|ftp)://" + _URL_BODY, 0.9),
            Pattern("www", r"(?<![A-Za-z0-9.@])www\." + _URL_BODY, 0.9),
            Pattern("domain", r"(?<![A-Za-z0-9.@/])[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*"
                    r"\.(?:com|cn|net|org|edu|gov|info|io|me|top|xyz|site)(?:\.cn)?"
                    r"(?:/[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*)?(?![A-Za-z0-9@])", 0.6),
        ])

    def keep(self, text: str, start: int, end: int) -> bool:
        # Trailing sentence punctuation belongs to the sentence, not the URL.
        return not text[start:end].endswith(("@",))

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for res in results:
            while res.end > res.start and text[res.end - 1] in ".,;:!?":
                res.end -= 1
        return results


class ZhIpAddressRecognizer(ChinesePatternRecognizer):
    """IPv4 dotted quads (each part 0-255) and full or compressed IPv6 addresses."""

    ENTITY = "IP_ADDRESS"

    def __init__(self) -> None:
        super().__init__([
            Pattern("ipv4", r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])", 0.6),
            Pattern("ipv6", r"(?<![0-9A-Fa-f:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|"
                    r"(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?)"
                    r"(?![0-9A-Fa-f:])", 0.6),
        ])

    def validate_result(self, pattern_text: str) -> bool | None:
        if "." in pattern_text:
            return None if valid_ipv4(pattern_text) else False
        return None if pattern_text.count(":") >= 2 else False


class ZhSocialHandleRecognizer(ChinesePatternRecognizer):
    """WeChat, Weibo, Douyin IDs and QQ numbers, found by their label word."""

    ENTITY = "SOCIAL_HANDLE"

    def __init__(self) -> None:
        super().__init__([
            Pattern("wechat", _labelled("social_labels") + r"[A-Za-z][-_A-Za-z0-9]{4,19}" + NA,
                    0.85),
            Pattern("wechat_phone", _labelled("social_labels") + r"1[3-9]\d{9}" + NA, 0.85),
            Pattern("qq", _labelled("qq_labels") + r"[1-9]\d{4,11}" + NA, 0.85),
            Pattern("at", r"(?<=(?:微博|抖音|小红书|B站)\s*[:：]?\s*)@[\w\u4e00-\u9fff-]{2,30}",
                    0.85),
        ])


def contact_recognizers() -> list[ChinesePatternRecognizer]:
    return [ZhPhoneRecognizer(), ZhEmailRecognizer(), ZhUrlRecognizer(), ZhIpAddressRecognizer(),
            ZhSocialHandleRecognizer()]


__all__ = ["NA", "NB", "contact_recognizers"]
