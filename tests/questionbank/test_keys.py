"""Key positions: shares of key letters, the balancing re-order, and the shipped bank within the bounds."""

from academy.cli import main
from questionbank.keys import JUDGE_TRUE_RANGE, MAX_LETTER_SHARE, key_shares, plan
from questionbank.loading import load_bank
from tests.questionbank.helpers import good_single, write_bank


def _items():
    out = []
    for i in range(40):
        out.append(good_single(id=f"cf-test-{i:03d}", stem=f"第{i}题：下列关于听证的说法正确的是（  ）。",
                               options={"A": f"正确说法{i}", "B": f"错误说法甲{i}", "C": f"错误说法乙{i}", "D": f"错误说法丙{i}"},
                               answer="A", explanation="依据第六十四条。"))
    out.append(good_single(id="cf-test-100", options={"A": "甲", "B": "乙", "C": "丙", "D": "以上都对"}, answer="D",
                           explanation="第六十四条。"))
    out.append(good_single(id="cf-test-101", options={"A": "甲", "B": "乙", "C": "丙", "D": "丁"}, answer="A",
                           explanation="A项正确，第六十四条。"))
    out.append(good_single(id="cf-test-102", type="multiple", answer=["A", "B"], explanation="第六十四条。",
                           options={"A": "甲项", "B": "乙项", "C": "丙项", "D": "丁项"}))
    return out


def test_balancing_moves_keys_keeps_texts_and_is_idempotent(tmp_path, capsys):
    path = write_bank(tmp_path, *_items())
    before = load_bank([path]).by_id()
    assert key_shares(list(before.values()))["single"]["A"] > 0.9
    assert main(["bank", "balance-keys", str(path)]) == 0
    after = load_bank([path]).by_id()
    for qid, q in before.items():
        new = after[qid]
        assert sorted(new.options.values()) == sorted(q.options.values())
        assert {new.options[x] for x in new.key_options()} == {q.options[x] for x in q.key_options()}
    assert after["cf-test-100"].options == before["cf-test-100"].options  # 以上都对 points at the others
    assert after["cf-test-101"].options == before["cf-test-101"].options  # 解析 names a letter
    shares = key_shares(list(after.values()))["single"]
    assert max(shares.values()) <= MAX_LETTER_SHARE and len(shares) == 4
    assert plan(list(after.values()))[0] == []  # a second run changes nothing
    text = path.read_text(encoding="utf-8")
    assert main(["bank", "balance-keys", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == text
    assert "单选题答案字母" in capsys.readouterr().out


def test_the_shipped_bank_keeps_key_letters_balanced():
    shares = key_shares(load_bank().questions)
    assert shares["single_count"] > 100
    assert max(shares["single"].values()) <= MAX_LETTER_SHARE, shares["single"]
    low, high = JUDGE_TRUE_RANGE
    assert low <= shares["judge_true"] <= high


def test_stats_report_the_key_shares(capsys):
    assert main(["bank", "stats"]) == 0
    out = capsys.readouterr().out
    assert "单选题答案字母：A" in out and "判断题答案为“正确”的比例" in out
