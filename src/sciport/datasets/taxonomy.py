"""Fields of science: the OECD Fields of Science and Technology (Frascati Manual 2007 revision), in Chinese and English.

A dataset's ``fieldOfScience`` holds codes from this list (a major field like ``1`` or a
subfield like ``1.5``); the DataCite export turns them into subjects with this scheme,
as DataCite itself does for ``FOS:`` subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEME = "Fields of Science and Technology"
SCHEME_URI = "http://www.oecd.org/science/inno/38235147.pdf"


@dataclass(frozen=True)
class FieldOfScience:
    code: str
    en: str
    zh: str

    @property
    def parent(self) -> str:
        """The major field's code ("" for a major field itself)."""
        major, _dot, _rest = self.code.partition(".")
        return major if "." in self.code else ""

    def label(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


FIELDS_OF_SCIENCE: tuple[FieldOfScience, ...] = (
    FieldOfScience("1", "Natural sciences", "自然科学"),
    FieldOfScience("1.1", "Mathematics", "数学"),
    FieldOfScience("1.2", "Computer and information sciences", "计算机与信息科学"),
    FieldOfScience("1.3", "Physical sciences", "物理科学"),
    FieldOfScience("1.4", "Chemical sciences", "化学科学"),
    FieldOfScience("1.5", "Earth and related environmental sciences", "地球与相关环境科学"),
    FieldOfScience("1.6", "Biological sciences", "生物科学"),
    FieldOfScience("1.7", "Other natural sciences", "其他自然科学"),
    FieldOfScience("2", "Engineering and technology", "工程与技术"),
    FieldOfScience("2.1", "Civil engineering", "土木工程"),
    FieldOfScience(
        "2.2", "Electrical engineering, electronic engineering, information engineering", "电气工程、电子工程、信息工程"
    ),
    FieldOfScience("2.3", "Mechanical engineering", "机械工程"),
    FieldOfScience("2.4", "Chemical engineering", "化学工程"),
    FieldOfScience("2.5", "Materials engineering", "材料工程"),
    FieldOfScience("2.6", "Medical engineering", "医学工程"),
    FieldOfScience("2.7", "Environmental engineering", "环境工程"),
    FieldOfScience("2.8", "Environmental biotechnology", "环境生物技术"),
    FieldOfScience("2.9", "Industrial biotechnology", "工业生物技术"),
    FieldOfScience("2.10", "Nano-technology", "纳米技术"),
    FieldOfScience("2.11", "Other engineering and technologies", "其他工程与技术"),
    FieldOfScience("3", "Medical and health sciences", "医学与健康科学"),
    FieldOfScience("3.1", "Basic medicine", "基础医学"),
    FieldOfScience("3.2", "Clinical medicine", "临床医学"),
    FieldOfScience("3.3", "Health sciences", "健康科学"),
    FieldOfScience("3.4", "Medical biotechnology", "医学生物技术"),
    FieldOfScience("3.5", "Other medical sciences", "其他医学科学"),
    FieldOfScience("4", "Agricultural sciences", "农业科学"),
    FieldOfScience("4.1", "Agriculture, forestry, and fisheries", "农业、林业和渔业"),
    FieldOfScience("4.2", "Animal and dairy science", "动物与乳品科学"),
    FieldOfScience("4.3", "Veterinary science", "兽医学"),
    FieldOfScience("4.4", "Agricultural biotechnology", "农业生物技术"),
    FieldOfScience("4.5", "Other agricultural sciences", "其他农业科学"),
    FieldOfScience("5", "Social sciences", "社会科学"),
    FieldOfScience("5.1", "Psychology", "心理学"),
    FieldOfScience("5.2", "Economics and business", "经济学与商学"),
    FieldOfScience("5.3", "Educational sciences", "教育学"),
    FieldOfScience("5.4", "Sociology", "社会学"),
    FieldOfScience("5.5", "Law", "法学"),
    FieldOfScience("5.6", "Political science", "政治学"),
    FieldOfScience("5.7", "Social and economic geography", "社会与经济地理学"),
    FieldOfScience("5.8", "Media and communications", "媒体与传播"),
    FieldOfScience("5.9", "Other social sciences", "其他社会科学"),
    FieldOfScience("6", "Humanities", "人文学科"),
    FieldOfScience("6.1", "History and archaeology", "历史学与考古学"),
    FieldOfScience("6.2", "Languages and literature", "语言与文学"),
    FieldOfScience("6.3", "Philosophy, ethics and religion", "哲学、伦理学与宗教"),
    FieldOfScience("6.4", "Arts (arts, history of arts, performing arts, music)", "艺术（艺术、艺术史、表演艺术、音乐）"),
    FieldOfScience("6.5", "Other humanities", "其他人文学科"),
)

_BY_CODE = {field.code: field for field in FIELDS_OF_SCIENCE}


def field_of_science(code: str) -> FieldOfScience | None:
    return _BY_CODE.get(code)
