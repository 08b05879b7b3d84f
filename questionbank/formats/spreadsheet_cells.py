"""The columns of the 题库 spreadsheet and what its cells may hold: the names a bank may give a column, the words for
types, answers, difficulty and category, and one parser per kind of cell (each raises ``ValueError`` with a reason).

The format itself is described in ``questionbank.formats.spreadsheet`` (import); ``spreadsheet_writing`` exports.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from questionbank import numerals
from questionbank.laws import LawRegistry
from questionbank.model import OPTION_LETTERS, STATUSES

COLUMNS = ["题号", "所属案例", "小题序号", "题型", "题干", *(f"选项{x}" for x in OPTION_LETTERS), "答案", "解析", "难度",
           "知识点", "法律依据", "分类", "领域", "状态", "来源", "容差", "单位", "可接受答案", "评分要点", "标签", "审核记录"]
ALIASES = {
    "题号": ["编号", "试题编号", "题目编号", "id"],
    "题型": ["题目类型", "试题类型", "类型", "题类"],
    "题干": ["试题内容", "题目内容", "题目", "内容", "问题", "试题"],
    "答案": ["正确答案", "标准答案", "参考答案"],
    "解析": ["答案解析", "试题解析", "解释", "说明"],
    "难度": ["难易程度", "难易度", "难度等级"],
    "知识点": ["考点", "章节", "知识点名称"],
    "法律依据": ["依据", "法条", "法律法规依据", "出处", "依据条款"],
    "分类": ["类别", "题目分类", "培训类别", "试题分类"],
    "领域": ["执法领域", "适用领域", "行业"],
    "状态": ["审核状态"],
    "评分要点": ["评分标准", "得分要点"],
    "可接受答案": ["备选答案"],
    "所属案例": ["案例编号", "所属案例编号"],
    "小题序号": ["小题顺序"],
}
TYPE_WORDS = {
    "single": ["单选", "单选题", "单项选择", "单项选择题", "单项"],
    "multiple": ["多选", "多选题", "多项选择", "多项选择题", "多项", "不定项", "不定项选择题"],
    "judge": ["判断", "判断题", "是非题"],
    "numeric": ["数值", "数值题", "填空", "填空题", "计算题"],
    "case": ["案例分析", "案例分析题", "案例", "案例题"],
}
PART_TYPE_WORDS = {"single": "单选", "multiple": "多选", "judge": "判断", "open": "简答"}
JUDGE_TRUE = {"正确", "对", "√", "✓", "✔", "T", "TRUE", "是", "Y", "YES", "1"}
JUDGE_FALSE = {"错误", "错", "×", "✗", "✘", "X", "F", "FALSE", "否", "N", "NO", "0"}
DIFFICULTY_WORDS = {"易": 1, "容易": 1, "简单": 1, "较易": 2, "中等": 3, "中": 3, "一般": 3, "适中": 3, "较难": 4, "难": 5,
                    "困难": 5}
CATEGORY_WORDS = {"法律知识": "legal", "法律": "legal", "legal": "legal", "专门业务": "operations", "业务": "operations",
                  "业务知识": "operations", "operations": "operations"}
STATUS_WORDS = {**{v: k for k, v in STATUSES.items()}, **{k: k for k in STATUSES}, "待审核": "draft"}
CITATION_TEXT_RE = re.compile(
    rf"(?:《(?P<law>[^》]+)》|(?P<bare>[\u4e00-\u9fff]{{2,30}}?(?:法|条例|规定|办法|细则)))?\s*"
    rf"第(?P<article>[{numerals.CHARS}\d]+)条"
)
OUR_CITATION_RE = re.compile(r"[^\s;；,，、@#]+@[0-9A-Za-z._-]+#\d+")
RUBRIC_RE = re.compile(r"^(?P<point>.+?)[（(](?P<score>[\d０-９]+(?:[.．][\d０-９]+)?)分[)）]$")


def column_aliases() -> dict[str, list[str]]:
    """Every column and the other names a bank may give it (选项A also as A, A选项, 选项a)."""
    aliases = {c: list(ALIASES.get(c, [])) for c in COLUMNS}
    for letter in OPTION_LETTERS:
        aliases[f"选项{letter}"] += [letter, f"{letter}选项", f"选项{letter.lower()}"]
    return aliases


# ---------------------------------------------------------------- cell parsers (each raises ValueError with a reason)

def nfkc(text: str) -> str:
    """The cell text in NFKC (full-width letters and digits as ASCII), stripped."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_type(text: str) -> tuple[str, str | None]:
    """(question type, part type or None) from 题型."""
    t = nfkc(text).replace(" ", "")
    if t.startswith("案例分析-") or t.startswith("案例-"):
        sub = t.split("-", 1)[1]
        for ptype, word in PART_TYPE_WORDS.items():
            if sub in (word, word + "题") or sub in TYPE_WORDS.get(ptype, []):
                return "case", ptype
        if sub in ("主观", "问答", "简答题", "论述"):
            return "case", "open"
        raise ValueError(f"案例小题题型 {text} 无法识别（单选/多选/判断/简答）")
    for qtype, words in TYPE_WORDS.items():
        if t in words or t == qtype:
            return qtype, None
    raise ValueError(f"题型 {text or '（空）'} 无法识别")


def parse_letters(text: str) -> list[str]:
    t = nfkc(text).upper()
    letters = re.sub(r"[\s,，、;；/|.。和及]", "", t)
    if not letters or any(ch not in OPTION_LETTERS for ch in letters):
        raise ValueError(f"答案 {text or '（空）'} 应为选项字母，如 B 或 A、C")
    return list(letters)


def parse_judge(text: str) -> str:
    t = nfkc(text).upper().rstrip("。.")
    if t in JUDGE_TRUE:
        return "正确"
    if t in JUDGE_FALSE:
        return "错误"
    raise ValueError(f"判断题答案 {text or '（空）'} 无法识别（正确/错误/对/错/√/×/T/F）")


def parse_difficulty(text: str) -> int:
    t = nfkc(text)
    if not t:
        return 3
    if t in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[t]
    if re.fullmatch(r"[1-5](\.0)?", t):
        return int(float(t))
    raise ValueError(f"难度 {text} 无法识别（易/较易/中等/较难/难 或 1–5）")


def parse_category(text: str) -> str:
    t = nfkc(text)
    if not t:
        return "legal"
    if t in CATEGORY_WORDS:
        return CATEGORY_WORDS[t]
    raise ValueError(f"分类 {text} 无法识别（法律知识 或 专门业务）")


def split_items(text: str) -> list[str]:
    """The items of a list cell, separated by 、 , ， ; ； or a line break."""
    return [p.strip() for p in re.split(r"[、,，;；\n]", nfkc(text)) if p.strip()]


def parse_basis(text: str, registry: LawRegistry, on: dt.date) -> list[str]:
    """Citations in our form (行政处罚法@2021#51) or as written (《中华人民共和国行政处罚法》第五十一条、第五十二条)."""
    t = text.strip()
    if not t:
        return []
    ours = OUR_CITATION_RE.findall(t)
    rest = OUR_CITATION_RE.sub(" ", t)
    out = list(ours)
    law = None
    found_any = bool(ours)
    for match in CITATION_TEXT_RE.finditer(rest):
        name = match["law"] or match["bare"]
        if name:
            law = registry.resolve_name(name)
            if law is None:
                raise ValueError(f"法律依据中的 {name} 不在法律登记表中")
        if law is None:
            raise ValueError(f"法律依据 {text} 没有写明法律名称")
        raw_article = nfkc(match["article"])
        article = int(raw_article) if raw_article.isdigit() else numerals.parse(raw_article)
        version = law.in_force(on)
        if version is None:
            raise ValueError(f"{law.name} 在 {on.isoformat()} 尚未施行")
        out.append(f"{law.name}@{version.id}#{article}")
        found_any = True
    if not found_any:
        raise ValueError(f"法律依据 {text} 无法识别（应如 《中华人民共和国行政处罚法》第五十一条 或 行政处罚法第51条）")
    return list(dict.fromkeys(out))


def parse_rubric(text: str) -> list[dict]:
    points = []
    separator = r"\n" if "\n" in text else r"[；;]"  # one point a line, or a line of points joined by ；
    for line in [x.strip() for x in re.split(separator, text) if x.strip()]:
        match = RUBRIC_RE.match(line)
        if not match:
            raise ValueError(f"评分要点 {line} 应写成 要点（3分）")
        score = float(nfkc(match["score"]))
        points.append({"point": match["point"].strip(), "score": int(score) if score.is_integer() else score})
    return points


def cell_number(text: str) -> float | int:
    """A number cell: an int when whole."""
    t = nfkc(text)
    value = float(t)
    return int(value) if value.is_integer() else value


