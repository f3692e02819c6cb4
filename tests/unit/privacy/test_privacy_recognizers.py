"""Every recognizer with positive and negative cases (doses, lab values, ICD codes, years)."""

from __future__ import annotations

import pytest

from medaudit.privacy import scan_text
from medaudit.privacy.checksums import gb11643_check_digit, luhn_check_digit


def values(text: str, entity: str) -> list[str]:
    return [text[f.start:f.end] for f in scan_text(text) if f.type == entity]


def cn_id(first17: str) -> str:
    return first17 + gb11643_check_digit(first17)


ID18 = cn_id("11010519850312003")
CARD = "622202100012345678"[:-1] + luhn_check_digit("62220210001234567")


# ---------------------------------------------------------------- CN_ID_CARD
def test_id18_with_valid_check_digit() -> None:
    assert values(f"身份证号{ID18}，", "CN_ID_CARD") == [ID18]
    assert values(f"证件 {ID18} 已核对", "CN_ID_CARD") == [ID18]  # no context needed


def test_id18_with_x_and_spaces() -> None:
    x_id = "11010519491231002X"
    assert values(f"身份证：{x_id}", "CN_ID_CARD") == [x_id]
    spaced = f"{ID18[:6]} {ID18[6:14]} {ID18[14:]}"
    assert values(f"身份证号 {spaced}", "CN_ID_CARD") == [spaced]


def test_id18_wrong_check_digit_only_with_context() -> None:
    bad = ID18[:-1] + ("0" if ID18[-1] != "0" else "1")
    assert values(f"样本条码{bad}已送检", "CN_ID_CARD") == []
    assert values(f"身份证号码：{bad}", "CN_ID_CARD") == [bad]


def test_id15_by_context() -> None:
    assert values("身份证号：110105491231002", "CN_ID_CARD") == ["110105491231002"]
    assert values("编号110105491231002", "CN_ID_CARD") == []


def test_id_inside_longer_number_is_not_an_id() -> None:
    assert values(f"9{ID18}1", "CN_ID_CARD") == []


# ---------------------------------------------------------------- PHONE
@pytest.mark.parametrize("phone", ["13812345678", "138-1234-5678", "138 1234 5678",
                                   "+86 138 1234 5678", "+8613812345678", "010-88889999",
                                   "(0755)26581234", "0571-87654321转123"])
def test_phone_forms(phone: str) -> None:
    assert values(f"联系电话：{phone}。", "PHONE") == [phone]


def test_local_number_needs_context() -> None:
    assert values("电话 8765 4321", "PHONE") == ["8765 4321"]
    assert values("共计 87654321 元", "PHONE") == []


@pytest.mark.parametrize("text", ["标本号13812345678", "检验条码：13912345678",
                                  "国药准字H20013110", "白细胞 11.2×10^9/L，血小板 320"])
def test_phone_like_lab_numbers_are_not_phones(text: str) -> None:
    assert values(text, "PHONE") == []


# ---------------------------------------------------------------- EMAIL, URL, IP
def test_email() -> None:
    assert values("邮箱zhang.san@163.com，", "EMAIL") == ["zhang.san@163.com"]
    assert values("发送至 doctor@hosp.org.cn。", "EMAIL") == ["doctor@hosp.org.cn"]
    assert values("剂量 5mg@每日", "EMAIL") == []


def test_url() -> None:
    assert values("个人主页https://weibo.com/u/123456。谢谢", "URL") == ["https://weibo.com/u/123456"]
    assert values("博客 www.zhangsan.net", "URL") == ["www.zhangsan.net"]
    assert values("zhang@example.com", "URL") == []


def test_ip() -> None:
    assert values("登录IP：10.23.45.67，", "IP_ADDRESS") == ["10.23.45.67"]
    assert values("IP 300.1.2.3", "IP_ADDRESS") == []
    assert values("版本 1.2.3.4 已更新", "IP_ADDRESS") == []


# ---------------------------------------------------------------- BANK_CARD
def test_bank_card_luhn() -> None:
    assert values(f"银行卡号：{CARD}", "BANK_CARD") == [CARD]
    grouped = " ".join(CARD[i:i + 4] for i in range(0, 16, 4)) + " " + CARD[16:]
    assert values(f"卡号 {grouped}", "BANK_CARD") == [grouped]
    bad = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    assert values(f"卡号 {bad}", "BANK_CARD") == []


def test_valid_id_is_not_a_bank_card() -> None:
    assert values(f"身份证号{ID18}", "BANK_CARD") == []


# ---------------------------------------------------------------- PASSPORT, PLATE, SOCIAL
def test_passport() -> None:
    assert values("护照号码：E12345678", "PASSPORT") == ["E12345678"]
    assert values("护照 EA1234567", "PASSPORT") == ["EA1234567"]
    assert values("港澳通行证C12345678", "PASSPORT") == ["C12345678"]
    assert values("型号 C12345678", "PASSPORT") == []


def test_license_plate() -> None:
    assert values("车牌号京A12345，", "LICENSE_PLATE") == ["京A12345"]
    assert values("粤B·D12345", "LICENSE_PLATE") == ["粤B·D12345"]
    assert values("沪AD12345新能源", "LICENSE_PLATE") == ["沪AD12345"]
    assert values("京ABCDEF", "LICENSE_PLATE") == []


def test_social_handles() -> None:
    assert values("微信号：zhang_san88，", "SOCIAL_HANDLE") == ["zhang_san88"]
    assert values("加我微信 wxid_abc123", "SOCIAL_HANDLE") == ["wxid_abc123"]
    assert values("QQ：123456789", "SOCIAL_HANDLE") == ["123456789"]
    assert values("微信同手机号", "SOCIAL_HANDLE") == []


# ---------------------------------------------------------------- MRN, INSURANCE
@pytest.mark.parametrize("label", ["病案号", "住院号", "门诊号", "检查号", "病历号", "床号"])
def test_record_numbers_by_label(label: str) -> None:
    assert values(f"{label}：A20230012，", "MEDICAL_RECORD_NUMBER") == ["A20230012"]


def test_record_number_without_label_is_not_found() -> None:
    assert values("A20230012", "MEDICAL_RECORD_NUMBER") == []


def test_insurance_by_label() -> None:
    assert values("医保卡号：1101234567890", "INSURANCE_ID") == ["1101234567890"]
    assert values("社保卡号 SB12345678", "INSURANCE_ID") == ["SB12345678"]


def test_insurance_label_beats_id_shape() -> None:
    found = scan_text(f"社保卡号：{ID18}")
    assert [(f.type) for f in found] == ["INSURANCE_ID"]


# ---------------------------------------------------------------- AGE_OVER_89
@pytest.mark.parametrize("text,value", [("患者92岁", "92"), ("年龄：95", "95"),
                                        ("九十三岁老人", "九十三"), ("102周岁", "102")])
def test_age_over_89(text: str, value: str) -> None:
    assert values(text, "AGE_OVER_89") == [value]


@pytest.mark.parametrize("text", ["患者89岁", "纳入18-95岁患者", "≥90岁人群", "血压92/60mmHg"])
def test_age_not_over_89(text: str) -> None:
    assert values(text, "AGE_OVER_89") == []


# ---------------------------------------------------------------- PERSON
@pytest.mark.parametrize("text,name", [
    ("患者张三，男，45岁", "张三"), ("姓名：欧阳建国", "欧阳建国"), ("家属王芳签字", "王芳"),
    ("患者李某某，女", "李某某"), ("主治医师：陈立明", "陈立明"), ("其子刘洋陪同", "刘洋"),
])
def test_person_forms(text: str, name: str) -> None:
    assert name in values(text, "PERSON")


def test_person_title_form_and_propagation() -> None:
    text = "王秀英女士今日复诊。王秀英诉头晕。"
    assert values(text, "PERSON") == ["王秀英", "王秀英"]


@pytest.mark.parametrize("text", ["患者高血压病史10年", "患者周围血管正常", "张仲景《伤寒论》记载",
                                  "口服阿司匹林100mg", "患者于2023年入院", "钟南山院士指出"])
def test_person_negatives(text: str) -> None:
    assert values(text, "PERSON") == []


# ---------------------------------------------------------------- ADDRESS, ORGANIZATION
def test_address_full() -> None:
    text = "住址：北京市海淀区中关村大街27号3单元501室。"
    assert values(text, "ADDRESS") == ["北京市海淀区中关村大街27号3单元501室"]


def test_address_without_province() -> None:
    assert values("家住朝阳区幸福路12号院3号楼", "ADDRESS") == ["朝阳区幸福路12号院3号楼"]


def test_hospital_is_not_an_address() -> None:
    assert values("就诊于北京市朝阳区第一人民医院", "ADDRESS") == []


def test_organization() -> None:
    assert values("工作单位：北京星辰科技有限公司。", "ORGANIZATION") == ["北京星辰科技有限公司"]
    assert values("其子就读于杭州市文澜中学", "ORGANIZATION") == ["杭州市文澜中学"]


def test_treating_hospital_is_not_an_organization() -> None:
    assert values("就诊于浙江大学医学院附属第一医院心内科", "ORGANIZATION") == []


# ---------------------------------------------------------------- clinical negatives
@pytest.mark.parametrize("text", [
    "阿司匹林肠溶片100mg qd，氯吡格雷75mg qd",
    "血糖6.5mmol/L，糖化血红蛋白7.2%，肌酐88μmol/L",
    "诊断：2型糖尿病（E11.9），高血压（I10）",
    "参照《中国2型糖尿病防治指南（2020年版）》",
    "NCCN指南2023版推荐",
    "BP 130/80mmHg，HR 78次/分",
])
def test_clinical_text_without_phi(text: str) -> None:
    assert scan_text(text) == []


def test_types_filter_and_unknown_type() -> None:
    text = "患者张三，电话13812345678"
    assert [f.type for f in scan_text(text, {"PHONE"})] == ["PHONE"]
    from medaudit.errors import MedauditError

    with pytest.raises(MedauditError, match="unknown PHI type"):
        scan_text(text, {"NOPE"})
