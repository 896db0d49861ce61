"""Demo organisations of every type and people in every role (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from sciport.accounts import services
from sciport.accounts.models import Membership, Organisation, User
from sciport.accounts.validators import uscc_check_character
from sciport.core.permissions import Role

DEMO_PASSWORD = "sciport-demo-2026"


def _uscc(first_17: str) -> str:
    return first_17 + uscc_check_character(first_17)


ORGANISATIONS = [
    (
        "institution",
        "申城大学",
        "Shencheng University",
        "12310000425006117",
        "徐汇区",
        "综合性研究型大学，开放材料、生物医药与人工智能实验平台。",
        "Research university opening its materials, biomedicine and AI labs.",
    ),
    (
        "institution",
        "东海先进材料研究所",
        "Donghai Institute of Advanced Materials",
        "12310000MB2C43901",
        "嘉定区",
        "专注新能源与先进材料表征。",
        "Characterisation of new-energy and advanced materials.",
    ),
    (
        "enterprise",
        "临港智造科技有限公司",
        "Lingang Smart Manufacturing Co., Ltd.",
        "91310115MA1H7K2Q0",
        "浦东新区",
        "工业机器人与智能产线集成商。",
        "Integrator of industrial robots and smart production lines.",
    ),
    (
        "provider",
        "张江检验检测技术服务中心",
        "Zhangjiang Testing & Inspection Centre",
        "91310115MA1K3L8D1",
        "浦东新区",
        "CMA/CNAS 认可的检验检测机构。",
        "CMA/CNAS accredited testing and inspection laboratory.",
    ),
    (
        "agency",
        "市科学技术委员会",
        "Municipal Science and Technology Commission",
        "11310000002418731",
        "黄浦区",
        "负责科技创新券与算力券项目。",
        "Runs the innovation-voucher and compute-voucher programmes.",
    ),
    (
        "journal",
        "《数据科学通讯》编辑部",
        "Data Science Letters (editorial office)",
        "12310000MB0P12345",
        "杨浦区",
        "要求论文关联数据集的开放获取期刊。",
        "Open-access journal that requires linked datasets.",
    ),
    (
        "incubator",
        "漕河泾创新孵化器",
        "Caohejing Innovation Incubator",
        "91310104MA1FL2X30",
        "徐汇区",
        "硬科技初创企业孵化。",
        "Incubates deep-tech start-ups.",
    ),
    (
        "fund",
        "未来产业投资基金",
        "Future Industry Fund",
        "91310000MA1G5N6T7",
        "浦东新区",
        "投资未来产业早期项目。",
        "Invests in early-stage future-industry projects.",
    ),
    (
        "association",
        "市科技服务业协会",
        "Sci-Tech Service Industry Association",
        "51310000MJ4Y0R2U0",
        "静安区",
        "科技服务机构的行业协会。",
        "Trade association of sci-tech service providers.",
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    language: str
    organisation_en: str
    roles: tuple[str, ...]
    does: str


PEOPLE = [
    DemoPerson(
        "researcher@demo.sciport",
        "李研 Li Yan",
        "zh-hans",
        "Shencheng University",
        (Role.MEMBER,),
        "researcher: deposits data, runs compute",
    ),
    DemoPerson(
        "curator@demo.sciport", "王策 Wang Ce", "zh-hans", "Shencheng University", (Role.MEMBER, Role.CURATOR), "data curator"
    ),
    DemoPerson(
        "lab.manager@demo.sciport",
        "Chen Hui",
        "en",
        "Donghai Institute of Advanced Materials",
        (Role.MANAGER,),
        "institution manager",
    ),
    DemoPerson(
        "provider@demo.sciport",
        "赵检 Zhao Jian",
        "zh-hans",
        "Zhangjiang Testing & Inspection Centre",
        (Role.MANAGER,),
        "provider manager",
    ),
    DemoPerson(
        "finance@demo.sciport",
        "钱芳 Qian Fang",
        "zh-hans",
        "Zhangjiang Testing & Inspection Centre",
        (Role.FINANCE,),
        "provider finance",
    ),
    DemoPerson(
        "enterprise@demo.sciport",
        "Sun Ming",
        "en",
        "Lingang Smart Manufacturing Co., Ltd.",
        (Role.MEMBER, Role.MANAGER),
        "enterprise user",
    ),
    DemoPerson(
        "officer@demo.sciport",
        "周政 Zhou Zheng",
        "zh-hans",
        "Municipal Science and Technology Commission",
        (Role.PROGRAMME_OFFICER,),
        "programme officer",
    ),
    DemoPerson(
        "editor@demo.sciport", "Emma Wu", "en", "Data Science Letters (editorial office)", (Role.MEMBER,), "journal editor"
    ),
    DemoPerson(
        "incubator@demo.sciport",
        "吴孵 Wu Fu",
        "zh-hans",
        "Caohejing Innovation Incubator",
        (Role.ADMIN,),
        "incubator administrator",
    ),
    DemoPerson("fund@demo.sciport", "郑基 Zheng Ji", "zh-hans", "Future Industry Fund", (Role.ADMIN,), "fund administrator"),
    DemoPerson(
        "association@demo.sciport",
        "冯协 Feng Xie",
        "zh-hans",
        "Sci-Tech Service Industry Association",
        (Role.ADMIN,),
        "association administrator",
    ),
]
ADMIN_EMAIL = "admin@demo.sciport"


def _user(email: str, name: str, language: str, staff: bool = False) -> User:
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing
    return services.user_create_verified(email=email, password=DEMO_PASSWORD, display_name=name, language=language, staff=staff)


def load() -> list[tuple[str, str]]:
    """Create what is missing; returns (login, what they do) for printing."""
    admin = _user(ADMIN_EMAIL, "平台管理员 Platform admin", "zh-hans", staff=True)
    by_name: dict[str, Organisation] = {}
    for kind, name_zh, name_en, code17, region, description_zh, description_en in ORGANISATIONS:
        credit_code = _uscc(code17)
        organisation = Organisation.objects.filter(credit_code=credit_code).first()
        if organisation is None:
            organisation = services.organisation_create(
                actor=admin,
                fields={
                    "kind": kind,
                    "name_zh": name_zh,
                    "name_en": name_en,
                    "credit_code": credit_code,
                    "country": "CN",
                    "region": f"上海市{region}",
                    "description_zh": description_zh,
                    "description_en": description_en,
                },
            )
            services.organisation_verify(actor=admin, organisation=organisation, approve=True)
        by_name[name_en] = organisation
    for person in PEOPLE:
        user = _user(person.email, person.name, person.language)
        organisation = by_name[person.organisation_en]
        for role in person.roles:
            Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return [(ADMIN_EMAIL, "platform administrator")] + [(p.email, f"{p.does} — {p.organisation_en}") for p in PEOPLE]
