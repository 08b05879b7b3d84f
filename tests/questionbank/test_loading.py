"""Bank files are read with yaml-rs for speed; it must read them exactly as the reference YAML library does."""

import yaml
import yaml_rs

from questionbank.loading import bank_files


def test_yaml_rs_reads_every_shipped_file_as_pyyaml_does():
    files = bank_files()
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml_rs.loads(text) == yaml.safe_load(text), path
