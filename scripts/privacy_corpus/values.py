"""Synthetic PHI values for the privacy corpus: names, ID numbers, phones, cards, addresses.

Every value is drawn from one seeded `random.Random`, so the corpus is byte-for-byte reproducible.
Checksummed identifiers are valid by construction (GB 11643 for ID cards, Luhn for bank cards)
because a detector that validates checksums must see values that pass; the serial parts are
random, so no value is copied from a real person.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass
from typing import Any

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "155", "156", "157", "158", "159", "166", "173", "177", "180", "181",
                   "182", "185", "186", "187", "188", "189", "191", "193", "195", "198", "199")
IP_FIRST_OCTETS = (36, 39, 42, 58, 60, 101, 106, 111, 112, 113, 114, 115, 117, 119, 120, 121,
                   122, 123, 124, 125, 171, 175, 180, 182, 183, 218, 219, 220, 221, 222, 223)


def id_check_digit(first17: str) -> str:
    """Return the GB 11643-1999 check character for the first 17 digits of an ID number."""
    total = sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def luhn_check_digit(body: str) -> str:
    """Return the Luhn digit that makes `body + digit` pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Person:
    """A generated name with the parts templates need (surname for 王女士, pinyin for handles)."""

    name: str
    surname: str
    sex: str  # "男" or "女"
    pinyin: tuple[str, ...]

    @property
    def mou(self) -> str:
        """The 张某 form used in de-identified narratives."""
        return self.surname + "某"

    @property
    def moumou(self) -> str:
        """The 张某某 form."""
        return self.surname + "某某"

    @property
    def title(self) -> str:
        """先生 or 女士, written outside the PERSON span."""
        return "先生" if self.sex == "男" else "女士"

    @property
    def initials(self) -> str:
        """CRF-style initials from the pinyin (张三丰 -> ZSF)."""
        return "".join(p[0].upper() for p in self.pinyin)


class ValueFactory:
    """Draws synthetic values from word lists in data/values.yaml using one seeded RNG."""

    def __init__(self, rng: random.Random, words: dict[str, Any]) -> None:
        self.rng = rng
        self.w = words
        surnames: dict[str, list[Any]] = words["surnames"]
        self._surnames = list(surnames)
        self._surname_weights = [int(v[1]) for v in surnames.values()]

    # ---- names -------------------------------------------------------------------------
    def person(self, sex: str | None = None, allow_whole: bool = True) -> Person:
        """A Chinese name: weighted surname plus one or two given characters."""
        rng = self.rng
        sex = sex or rng.choice(("男", "女"))
        if allow_whole and rng.random() < 0.04:
            pool = [(n, py) for n, s, py in self.w["whole_names"] if (s == "m") == (sex == "男")]
            name, pys = rng.choice(pool)
            return Person(name, name.split("·")[0], sex, tuple(pys))
        surname = rng.choices(self._surnames, weights=self._surname_weights)[0]
        lean = "m" if sex == "男" else "f"
        chars: list[tuple[str, str]] = []
        for _ in range(1 if rng.random() < 0.3 else 2):
            pool = self.w["given_chars"][lean if rng.random() < 0.7 else "n"]
            ch = rng.choice(list(pool))
            chars.append((ch, pool[ch]))
        pys = (self.w["surnames"][surname][0], *(p for _, p in chars))
        return Person(surname + "".join(c for c, _ in chars), surname, sex, pys)

    # ---- places and organisations -------------------------------------------------------
    def region(self) -> dict[str, Any]:
        """A province/city record with its districts, area code and plate prefix."""
        return dict(self.rng.choice(self.w["regions"]))

    def address(self, region: dict[str, Any], district: str) -> str:
        """A home address, from province (sometimes omitted) down to the room number."""
        rng = self.rng
        w = self.w
        prov = region["prov"]
        head = prov if prov != region["city"] else ""
        if rng.random() < 0.3:
            head = ""
        if district.endswith("县") or (district.endswith("市") and rng.random() < 0.5):
            town = rng.choice(w["towns"])
            village = rng.choice(w["villages"])
            tail = rng.choice((f"{town}镇{village}村{rng.randint(1, 12)}组{rng.randint(1, 80)}号",
                               f"{town}镇{village}村{rng.randint(1, 200)}号"))
            return f"{head}{region['city']}{district}{tail}"
        road = rng.choice(w["roads"])
        direction = rng.choice(w["road_dirs"])
        if direction and road.endswith("路"):
            road = road[:-1] + direction + "路"
        no = rng.randint(1, 999)
        comm = rng.choice(w["community_words"]) + rng.choice(w["community_suffix"])
        building = rng.choice((f"{rng.randint(1, 32)}幢", f"{rng.randint(1, 32)}栋",
                               f"{rng.randint(1, 32)}号楼"))
        unit = f"{rng.randint(1, 6)}单元" if rng.random() < 0.6 else ""
        room = f"{rng.randint(1, 33)}{rng.randint(1, 6):02d}"
        room = room + rng.choice(("室", "室", "", "房"))
        style = rng.random()
        if style < 0.45:
            return f"{head}{region['city']}{district}{road}{no}号{comm}{building}{unit}{room}"
        if style < 0.7:
            return f"{head}{region['city']}{district}{comm}{building}{unit}{room}"
        if style < 0.85 and region["city"] == "上海市":
            lane = f"{rng.randint(100, 1500)}弄{rng.randint(1, 60)}号"
            return f"{region['city']}{district}{road}{lane}{room}"
        return f"{region['city']}{district}{road}{no}号{building}{room}"

    def fill_pattern(self, pattern: str, region: dict[str, Any], district: str) -> str:
        """Expand {city}/{district}/{n}/{town} placeholders of an institution pattern."""
        return pattern.format(city=region["city"], cityshort=region["city"].rstrip("市"),
                              district=district, n=self.rng.randint(1, 15),
                              town=self.rng.choice(self.w["towns"]))

    def company(self, region: dict[str, Any], district: str) -> str:
        """A work unit: a limited company or a public employer."""
        rng = self.rng
        if rng.random() < 0.3:
            return self.fill_pattern(rng.choice(self.w["public_units"]), region, district)
        short = region["city"].rstrip("市")
        return short + rng.choice(self.w["company_brands"]) + rng.choice(
            self.w["company_trades"]) + rng.choice(self.w["company_forms"])

    def school(self, region: dict[str, Any], district: str, university: bool) -> str:
        """A school (children) or a university (students over 18)."""
        if university:
            return str(self.rng.choice(self.w["universities"]))
        return self.fill_pattern(self.rng.choice(self.w["schools"]), region, district)

    # ---- numbers -----------------------------------------------------------------------
    def digits(self, n: int, first_nonzero: bool = False) -> str:
        """`n` random digits."""
        s = "".join(self.rng.choice(string.digits) for _ in range(n))
        if first_nonzero and s[0] == "0":
            s = str(self.rng.randint(1, 9)) + s[1:]
        return s

    def id18(self, code: str, birth: dt.date, sex: str) -> str:
        """An 18-digit resident ID whose date and sex digit match the person."""
        seq = self.rng.randint(0, 99) * 10 + self.rng.choice(
            (1, 3, 5, 7, 9) if sex == "男" else (0, 2, 4, 6, 8))
        first17 = f"{code}{birth:%Y%m%d}{seq:03d}"
        return first17 + id_check_digit(first17)

    def id15(self, code: str, birth: dt.date, sex: str) -> str:
        """A first-generation 15-digit ID (two-digit year, no check digit)."""
        seq = self.rng.randint(0, 99) * 10 + self.rng.choice(
            (1, 3, 5, 7, 9) if sex == "男" else (0, 2, 4, 6, 8))
        return f"{code}{birth:%y%m%d}{seq:03d}"

    def mobile(self) -> str:
        """Eleven-digit mobile number."""
        return self.rng.choice(MOBILE_PREFIXES) + self.digits(8)

    def landline(self, area: str) -> tuple[str, str]:
        """(area code, local number); local numbers are 8 digits, 7 for small cities."""
        n = 8 if len(area) == 3 or area in ("0571", "0574", "0755", "0512", "0531", "0532") else 7
        return area, str(self.rng.randint(2, 8)) + self.digits(n - 1)

    def bank_card(self) -> tuple[str, str]:
        """(bank name, Luhn-valid card number with a real issuer prefix)."""
        bank = self.rng.choice(self.w["banks"])
        body = self.rng.choice(bank["bins"]) + self.digits(int(bank["length"]) - 7)
        return str(bank["name"]), body + luhn_check_digit(body)

    def passport(self, foreign: bool = False) -> str:
        """A Chinese e-passport number (E + 8 digits or E + letter + 7), or a foreign style one."""
        rng = self.rng
        if foreign:
            return rng.choice(("M", "K", "TK", "X")) + self.digits(8 if rng.random() < 0.5 else 7)
        r = rng.random()
        if r < 0.5:
            return "E" + self.digits(8)
        if r < 0.85:
            return "E" + rng.choice("ABCDFGHJKLMNPQRSTUVWXYZ") + self.digits(7)
        return "G" + self.digits(8)

    def plate(self, prefix: str) -> str:
        """A licence plate; municipalities get a random letter, 1 in 4 is new-energy (8 chars)."""
        rng = self.rng
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        if len(prefix) == 1:
            prefix += rng.choice("ABCDEFGHJKNQ")
        if rng.random() < 0.25:
            tail = rng.choice("DF") + self.digits(5) if rng.random() < 0.8 else \
                self.digits(5) + rng.choice("DF")
        else:
            pool = string.digits * 3 + letters
            tail = "".join(rng.choice(pool) for _ in range(5))
        sep = rng.choice(("", "", "", "·", " "))
        return prefix + sep + tail

    def wechat(self, person: Person) -> str:
        """A WeChat id: wxid_…, or a self-chosen id from the pinyin plus digits."""
        rng = self.rng
        if rng.random() < 0.3:
            return "wxid_" + "".join(rng.choice(string.ascii_lowercase + string.digits)
                                     for _ in range(14))
        base = "".join(person.pinyin) if rng.random() < 0.6 else rng.choice(self.w["handle_words"])
        sep = rng.choice(("", "_", "-", ""))
        return base + sep + str(rng.randint(1, 2024))

    def qq(self) -> str:
        """A QQ number, 6 to 11 digits."""
        return self.digits(self.rng.randint(6, 11), first_nonzero=True)

    def email(self, person: Person, qq: str | None = None) -> str:
        """An e-mail address from the pinyin, a handle word or the QQ number."""
        rng = self.rng
        if qq and rng.random() < 0.5:
            return f"{qq}@qq.com"
        user = "".join(person.pinyin) if rng.random() < 0.6 else rng.choice(self.w["handle_words"])
        user += rng.choice(("", ".", "_")) + str(rng.randint(1, 2023)) if rng.random() < 0.7 else ""
        return f"{user}@{rng.choice(self.w['email_domains'])}"

    def ip(self) -> str:
        """A public client IPv4 address, 1 in 8 an IPv6 address."""
        rng = self.rng
        if rng.random() < 0.12:
            groups = ["240e", f"{rng.randint(0, 0xfff):x}", f"{rng.randint(0, 0xffff):x}",
                      f"{rng.randint(0, 0xffff):x}"]
            return ":".join(groups) + "::" + f"{rng.randint(1, 0xffff):x}"
        return ".".join([str(rng.choice(IP_FIRST_OCTETS))] + [str(rng.randint(1, 254))
                                                               for _ in range(3)])

    def url(self) -> str:
        """A patient-specific link (report share, consultation record, claim progress)."""
        rng = self.rng
        token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(10))
        scheme = "https://" if rng.random() < 0.85 else "http://"
        host = rng.choice(self.w["url_hosts"])
        path = rng.choice(self.w["url_paths"])
        if rng.random() < 0.5:
            return f"{scheme}{host}/{path}?id={token}"
        return f"{scheme}{host}/{path}/{token}"

    def code(self, letters: str, n_digits: int) -> str:
        """A prefix plus digits (record numbers, policy numbers)."""
        return letters + self.digits(n_digits)
