"""The academy bank commands: exit codes, messages, --help with an example."""

import json
import subprocess
import sys

import pytest

from academy.cli import main
from tests.questionbank.helpers import good_single, write_bank


@pytest.mark.parametrize("command", ["validate", "check-basis", "check-keys", "stats", "balance-keys", "import", "export"])
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["bank", command, "--help"])
    assert exit_info.value.code == 0
    assert "示例：" in capsys.readouterr().out


def test_validate_exit_codes(tmp_path, capsys):
    write_bank(tmp_path / "good", good_single())
    assert main(["bank", "validate", str(tmp_path / "good")]) == 0
    assert "校验通过" in capsys.readouterr().out
    write_bank(tmp_path / "bad", good_single(answer="E"))
    assert main(["bank", "validate", str(tmp_path / "bad")]) == 1
    out = capsys.readouterr().out
    assert "cf-test-001" in out and "answer" in out and "答案 E 不在选项中" in out


def test_warnings_fail_only_when_strict(tmp_path, capsys):
    write_bank(tmp_path, good_single(basis=["行政处罚法@2017#42"], explanation="旧法。"))
    assert main(["bank", "validate", str(tmp_path)]) == 0
    assert main(["bank", "validate", "--strict", str(tmp_path)]) == 1


def test_check_basis_command(tmp_path, shared_laws, capsys):
    write_bank(tmp_path, good_single(answer="D"))
    assert main(["bank", "check-basis", "--laws", str(shared_laws), str(tmp_path)]) == 1
    assert "十日" in capsys.readouterr().out
    assert main(["bank", "check-basis", "--laws", str(tmp_path / "nowhere"), str(tmp_path)]) == 2


def test_stats_json_shape(tmp_path, capsys):
    write_bank(tmp_path, good_single(), good_single(id="cf-test-002", type="judge", options=None, answer="错误",
                                                    stem="当事人要求听证的，应当在告知后十日内提出。", status="draft"))
    assert main(["bank", "stats", "--json", str(tmp_path)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["total"] == 2 and stats["reviewed"] == 1
    assert stats["by_law"] == {"行政处罚法": 2}
    assert stats["by_type"] == {"single": 1, "judge": 1}
    assert stats["by_category"] == {"legal": 2} and stats["by_domain"] == {"通用": 2}
    assert stats["by_status"] == {"reviewed": 1, "draft": 1}


def test_console_script_runs(tmp_path):
    write_bank(tmp_path, good_single())
    result = subprocess.run([sys.executable, "-m", "academy.cli", "bank", "stats", str(tmp_path)],
                            capture_output=True, text=True, check=True)
    assert "题目总数：1" in result.stdout
