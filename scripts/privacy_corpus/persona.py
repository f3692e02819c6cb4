"""One synthetic patient encounter: the values a document's templates draw from.

Values are consistent within a document (the ID number encodes the birth date and sex, the
discharge follows the admission, the plate prefix matches the city), so a detector cannot tell
labelled values apart by internal contradictions, and `deid --shift-dates` style checks that rely
on intervals see realistic ones.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from render import Phone
from values import Person, ValueFactory

START = dt.date(2019, 1, 1)
SPAN_DAYS = 6 * 365
FULL_DATE_STYLES = ("cn", "cn0", "iso", "iso1", "slash", "slash0", "dot", "dot1", "hanzi",
                    "hanzi_ling", "compact", "yy")
MAIN_STYLE_WEIGHTS = {"cn": 30, "iso": 25, "cn0": 8, "slash": 8, "slash0": 5, "dot": 6,
                      "dot1": 2, "iso1": 3, "hanzi": 4, "hanzi_ling": 1, "compact": 5, "yy": 1}
FOREIGN_NAMES = frozenset({"约翰·史密斯", "玛丽亚·加西亚", "金敏浩", "佐藤美咲"})
MINORITIES = ("回族", "壮族", "满族", "苗族", "土家族")
MARITAL = ("已婚", "已婚", "已婚", "丧偶", "离异")
JOBS_ADULT = ("公司职员", "工人", "教师", "个体经营者", "公务员", "工程师", "会计", "销售",
              "司机", "护士")


def _age(rng: random.Random, lo: int, hi: int, p_old: float) -> int:
    """An age within [lo, hi]; with probability p_old (when allowed) one of 90 or more."""
    if hi >= 90 and rng.random() < p_old:
        return rng.randint(90, min(hi, 104))
    return rng.randint(lo, min(hi, 89))


def _mrn(vf: ValueFactory, adm: dt.date) -> dict[str, str]:
    """Hospital-issued numbers of the encounter, in the formats Chinese HIS systems print."""
    rng = vf.rng
    modality = rng.choice(("CT", "MR", "US", "DR", "ES"))
    return {
        "zyh": rng.choice((f"{adm.year}{vf.digits(6)}", vf.digits(7, True), "ZY" + vf.digits(8),
                           vf.digits(8, True))),
        "bah": rng.choice((vf.digits(6, True), vf.digits(8), "B" + vf.digits(7))),
        "mzh": rng.choice(("MZ" + vf.digits(10), f"{adm:%y%m%d}{vf.digits(4)}",
                           vf.digits(10, True))),
        "jch": rng.choice((f"{modality}{adm:%y%m%d}{vf.digits(4)}", modality + vf.digits(8),
                           vf.digits(9, True))),
        "bed": rng.choice((str(rng.randint(1, 48)), f"+{rng.randint(1, 6)}",
                           f"{rng.choice('ABC')}{rng.randint(1, 30):02d}",
                           f"ICU-{rng.randint(1, 16):02d}", str(rng.randint(1, 48)))),
        "bbh": rng.choice((vf.digits(10, True), vf.digits(12, True), "S" + vf.digits(9))),
        "card": rng.choice(("JZ" + vf.digits(9), vf.digits(12, True))),
        "yxh": rng.choice(("P" + vf.digits(8), "IMG" + vf.digits(7))),
        "djh": vf.digits(10, True),
    }


def _insurance(vf: ValueFactory, code: str) -> dict[str, str]:
    """Insurance identifiers: social-insurance card, medical-insurance number, policy number."""
    rng = vf.rng
    letters = "ABCDHJKLMNPRSTW"
    return {
        "yb": rng.choice((code[:4] + vf.digits(8), "YB" + vf.digits(10), vf.digits(10, True))),
        "sb": rng.choice((rng.choice(letters) + vf.digits(8), code[:2] + "0" + vf.digits(10))),
        "policy": rng.choice(("P" + rng.choice(("ZBA", "LHA", "TKY", "RSB"))
                              + f"{rng.randint(2016, 2024)}"
                              + code[:4] + vf.digits(8),
                              "88" + vf.digits(13), f"{code[:2]}{vf.digits(2)}-{vf.digits(10)}")),
    }


def _relations(vf: ValueFactory, sex: str, age: int) -> list[str]:
    """Relatives plausible for this patient (no 丈夫 for a man, no 母亲 as carer at 90)."""
    rels: list[str] = list(vf.w["relations"])
    rels.remove("丈夫" if sex == "男" else "妻子")
    if age < 18:
        return ["父亲", "母亲"]
    if age >= 55:
        rels = [r for r in rels if r not in ("父亲", "母亲")]
    if age < 55:
        rels = [r for r in rels if r not in ("孙子", "孙女", "儿媳")]
    return rels


def build_context(vf: ValueFactory, case: dict[str, Any], kind: str,
                  ages: list[int] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Draw one patient, family, staff and encounter; return (slot context, extra macros).

    `ages` narrows the case's age range for templates written for one population (children).
    """
    rng = vf.rng
    lo, hi = case["ages"]
    if ages:
        lo, hi = max(lo, ages[0]), min(hi, ages[1])
    age = _age(rng, lo, hi, 0.22)
    sex = case.get("sex") or rng.choice(("男", "女"))
    pt = vf.person(sex)
    region = vf.region()
    district = rng.choice(list(region["districts"]))
    code = region["districts"][district]
    adm = START + dt.timedelta(days=rng.randint(0, SPAN_DAYS))
    birth = adm - dt.timedelta(days=age * 365 + rng.randint(1, 360))
    op = adm + dt.timedelta(days=rng.randint(0, 4))
    dis = op + dt.timedelta(days=rng.randint(3, 14))
    bank_name, bank = vf.bank_card()
    qq = vf.qq()
    id18 = vf.id18(code, birth, sex)
    pid = vf.id15(code, birth, sex) if birth.year < 2000 and rng.random() < 0.2 else id18

    if age < 18:
        org, job = vf.school(region, district, False), "学生"
        work_field, work_sentence = ("就读学校：<<ORGANIZATION:pt.org>>",
                                     "在<<ORGANIZATION:pt.org>>上学，")
    elif age < 24 and rng.random() < 0.6:
        org, job = vf.school(region, district, True), "学生"
        work_field, work_sentence = ("工作单位：<<ORGANIZATION:pt.org>>（在读）",
                                     "<<ORGANIZATION:pt.org>>在读学生，")
    elif age >= 60:
        org, job = vf.company(region, district), "退休"
        work_field, work_sentence = ("职业：退休（原<<ORGANIZATION:pt.org>>职工）",
                                     "退休前就职于<<ORGANIZATION:pt.org>>，")
    elif rng.random() < 0.15:
        org, job = vf.company(region, district), "农民"
        work_field, work_sentence = ("职业：农民", "务农，")
    else:
        org, job = vf.company(region, district), rng.choice(JOBS_ADULT)
        work_field = rng.choice(("工作单位：<<ORGANIZATION:pt.org>>",
                                 "单位：<<ORGANIZATION:pt.org>>",
                                 "工作单位：<<ORGANIZATION:pt.org>>"))
        work_sentence = rng.choice(("就职于<<ORGANIZATION:pt.org>>，",
                                    "在<<ORGANIZATION:pt.org>>工作，",
                                    "系<<ORGANIZATION:pt.org>>员工，"))

    rel = rng.choice(_relations(vf, sex, age))
    fam = vf.person("男" if vf.w["relations"][rel] == "m" else "女")
    same_line = rel in ("父亲", "儿子", "女儿", "孙子", "孙女", "哥哥", "姐姐", "侄子")
    if same_line and "·" not in pt.name and "·" not in fam.name and rng.random() < 0.7:
        fam = Person(pt.surname + fam.name[len(fam.surname):], pt.surname, fam.sex,
                     (pt.pinyin[0], *fam.pinyin[1:]))
    main_style = rng.choices(list(MAIN_STYLE_WEIGHTS), weights=list(MAIN_STYLE_WEIGHTS.values()))[0]

    def date_style() -> str:
        return main_style if rng.random() < 0.8 else rng.choice(FULL_DATE_STYLES)

    hosp_pool = vf.w["hospitals"] if rng.random() < 0.5 else None
    hosp = rng.choice(hosp_pool) if hosp_pool else vf.fill_pattern(
        rng.choice(vf.w["hospital_patterns"]), region, district)
    hosp2 = rng.choice([h for h in vf.w["hospitals"] if h != hosp])
    primary = vf.fill_pattern(rng.choice(vf.w["primary_patterns"]), region, district)
    plate_region = region if rng.random() < 0.85 else vf.region()
    area, local = vf.landline(region["area"])

    def days(a: int, b: int, base: dt.date = adm) -> dt.date:
        return base + dt.timedelta(days=rng.randint(a, b))

    lmp = adm - dt.timedelta(days=rng.randint(270, 280))
    ctx: dict[str, Any] = {
        "pt": {"name": pt.name, "surname": pt.surname, "mou": pt.mou, "moumou": pt.moumou,
               "title": pt.title, "sex": sex, "age": age, "id": pid, "id18": id18,
               "phone": Phone(vf.mobile()), "phone2": Phone(vf.mobile()), "tel": Phone(local, area),
               "addr": vf.address(region, district), "addr2": vf.address(region, district),
               "org": org, "job": job, "email": vf.email(pt, qq), "wx": vf.wechat(pt), "qq": qq,
               "passport": vf.passport(foreign=pt.name in FOREIGN_NAMES),
               "plate": vf.plate(plate_region["plate"]), "bank": bank, "bank_name": bank_name,
               "ip": vf.ip(), "url": vf.url(), "url2": vf.url(), "initials": pt.initials,
               "nation": "汉族" if rng.random() < 0.9 else rng.choice(MINORITIES),
               "native": region["prov"].rstrip("省市"),
               "married": "未婚" if age < 24 else rng.choice(MARITAL)},
        "fam": {"name": fam.name, "surname": fam.surname, "rel": rel, "title": fam.title,
                "phone": Phone(vf.mobile()), "age": rng.randint(55, 101),
                "org": vf.company(region, district),
                "wx": vf.wechat(fam), "mou": fam.mou},
        "spouse": vf.person("女" if sex == "男" else "男", allow_whole=False).name,
        "doc": _staff(vf), "chief": _staff(vf), "res": _staff(vf), "nurse": _staff(vf, "女"),
        "tech": _staff(vf), "rev": _staff(vf), "ref": _staff(vf),
        "hosp": hosp, "hosp2": hosp2, "primary": primary, "dept": case["dept"],
        "platform": rng.choice(vf.w["platforms"]), "insurer": rng.choice(vf.w["insurers"]),
        "mrn": _mrn(vf, adm), "ins": _insurance(vf, code),
        "d": {"birth": birth, "adm": adm, "op": op, "dis": dis, "visit": adm,
              "onset": adm - dt.timedelta(days=rng.randint(1, 10)),
              "prev": adm - dt.timedelta(days=rng.randint(60, 2500)),
              "prior": adm - dt.timedelta(days=rng.randint(20, 700)),
              "report": days(0, 2), "sample": adm, "follow": days(7, 30, dis),
              "next": days(7, 90), "sign": adm, "v2": days(14, 28), "v3": days(56, 84),
              "claim": days(10, 60, dis), "lmp": lmp, "edd": lmp + dt.timedelta(days=280),
              "ae": days(3, 40), "ref": days(0, 1)},
        "date_style": date_style,
    }
    macros = {"work_field": work_field, "work_sentence": work_sentence}
    for key, value in case.items():
        macros[f"case.{key}"] = value
    return ctx, macros


def _staff(vf: ValueFactory, sex: str | None = None) -> dict[str, str]:
    """A clinician or technician (labelled PERSON like any private individual's name)."""
    p = vf.person(sex, allow_whole=False)
    return {"name": p.name, "surname": p.surname}
