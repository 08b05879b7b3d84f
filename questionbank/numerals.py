"""Chinese numerals (一百二十五, 两万, 〇) to integers and back."""

from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)


def parse(text: str) -> int:
    """Parse a Chinese numeral such as 一百零三, 十五, 二〇二一 (digit by digit) or 3万 is not accepted here."""
    if not text or any(ch not in CHARS for ch in text):
        raise ValueError(f"不是中文数字：{text!r}")
    if all(ch in DIGITS for ch in text) and len(text) > 1:
        # 二〇二一 style: read digit by digit
        return int("".join(str(DIGITS[ch]) for ch in text))
    total = section = digit = 0
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            section += (digit or 1) * SMALL_UNITS[ch]
            digit = 0
        else:
            section += digit
            total += (section or 1) * BIG_UNITS[ch]
            section = digit = 0
    return total + section + digit


def to_chinese(number: int) -> str:
    """Format a non-negative integer below 10^8 the way statutes write article numbers (一百零三)."""
    if number < 0 or number >= 100_000_000:
        raise ValueError(number)
    if number == 0:
        return "零"
    names = "零一二三四五六七八九"

    def below_10000(n: int) -> str:
        out, zero = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d, n = divmod(n, value)
            if d:
                if zero:
                    out += "零"
                out += names[d] + unit
                zero = False
            elif out:
                zero = True
        return out

    high, low = divmod(number, 10_000)
    if high:
        text = below_10000(high) + "万"
        if low:
            text += ("零" if low < 1000 else "") + below_10000(low)
    else:
        text = below_10000(low)
    if text.startswith("一十"):
        text = text[1:]
    return text
