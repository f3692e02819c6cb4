"""Realistic but fake Chinese replacements for each PHI type (Faker `zh_CN` plus format rules).

Identifiers keep their shape but cannot belong to anyone: resident IDs use region code 99xxxx
(no such region exists; the scanner ignores it), IP addresses come from the documentation ranges
of RFC 5737, URLs and e-mail use example domains (RFC 2606).
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

from medaudit.privacy.checksums import gb11643_check_digit, luhn_check_digit

_PLATE_PROV = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


class SurrogateFactory:
    """Makes one surrogate per call, drawing from its own seeded Faker and RNG."""

    def __init__(self, rng: random.Random) -> None:
        from faker import Faker

        self.rng = rng
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(rng.getrandbits(64))

    def _shape(self, value: str) -> str:
        """Same shape as `value`: digits → random digits, letters → random letters."""
        out = []
        for c in value:
            if c.isdigit():
                out.append(self.rng.choice(string.digits))
            elif c.isascii() and c.isalpha():
                out.append(self.rng.choice(string.ascii_uppercase if c.isupper()
                                           else string.ascii_lowercase))
            else:
                out.append(c)
        return "".join(out)

    def person(self, value: str) -> str:
        if "某" in value:
            return self.fake.last_name() + value[value.index("某"):]
        if len(value) == 1:
            return str(self.fake.last_name())
        name = str(self.fake.name())
        return name if name != value else str(self.fake.name())

    def cn_id(self, value: str) -> str:
        if len(value.replace(" ", "")) == 15:
            return "99" + "".join(self.rng.choice(string.digits) for _ in range(13))
        year = self.rng.randint(1940, 2010)
        body = (f"99{self.rng.randint(0, 9999):04d}{year}{self.rng.randint(1, 12):02d}"
                f"{self.rng.randint(1, 28):02d}{self.rng.randint(0, 999):03d}")
        return body + gb11643_check_digit(body)

    def phone(self, value: str) -> str:
        digits = sum(c.isdigit() for c in value)
        if digits >= 11 and "1" in value[:4]:
            return str(self.fake.phone_number())
        return self._shape(value)

    def bank_card(self, value: str) -> str:
        n = sum(c.isdigit() for c in value)
        body = "62" + "".join(self.rng.choice(string.digits) for _ in range(n - 3))
        return body + luhn_check_digit(body)

    def passport(self, value: str) -> str:
        return "E" + "".join(self.rng.choice(string.digits) for _ in range(8))

    def plate(self, value: str) -> str:
        tail = "".join(self.rng.choice(string.digits) for _ in range(5))
        return self.rng.choice(_PLATE_PROV) + self.rng.choice(_PLATE_LETTERS) + tail

    def email(self, value: str) -> str:
        return f"{self.fake.user_name()}@example.com"

    def url(self, value: str) -> str:
        return f"https://example.com/{self.fake.user_name()}"

    def ip(self, value: str) -> str:
        if ":" in value:
            return f"2001:db8::{self.rng.randint(1, 0xffff):x}"
        return f"192.0.2.{self.rng.randint(1, 254)}"

    def address(self, value: str) -> str:
        f = self.fake
        return (f"{f.province()}{f.city_name()}市{f.district()}区{f.street_name()}"
                f"{self.rng.randint(1, 300)}号")

    def organization(self, value: str) -> str:
        return str(self.fake.company())

    def social(self, value: str) -> str:
        if value.isdigit():
            return self._shape(value)
        return "wx_" + "".join(self.rng.choice(string.ascii_lowercase) for _ in range(8))

    def age(self, value: str) -> str:
        return "≥90"

    def generic(self, value: str) -> str:
        return self._shape(value)

    def for_type(self, entity: str) -> Callable[[str], str]:
        table: dict[str, Callable[[str], str]] = {
            "PERSON": self.person, "CN_ID_CARD": self.cn_id, "PHONE": self.phone,
            "BANK_CARD": self.bank_card, "PASSPORT": self.passport,
            "LICENSE_PLATE": self.plate, "EMAIL": self.email, "URL": self.url,
            "IP_ADDRESS": self.ip, "ADDRESS": self.address, "ORGANIZATION": self.organization,
            "SOCIAL_HANDLE": self.social, "AGE_OVER_89": self.age,
        }
        return table.get(entity, self.generic)
