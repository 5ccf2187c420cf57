"""Fuzzing the lab loader: any file is a lab or one LabError naming it, never a traceback."""

import json
import tomllib

from hypothesis import given
from hypothesis import strategies as st

from kdebug.labs.engine import LabError, load_lab

KEYS = st.sampled_from(["name", "title", "order", "summary", "setup", "steps", "tools", "dump", "goal", "hints",
                        "explain", "check", "answer", "host", "mdb", "expect", "platform", "seed", "commands",
                        "before_reboot", "x"])
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5),
              st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
              st.sampled_from(["fuzz", "re:(", "re:ok", "joyent_20180329T002644Z", "emy-17", "[", "*"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12)


def _toml(value, key="") -> str:
    """A TOML rendering of plain data (None as an empty string: TOML has no null)."""
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")   # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"


def load(tmp_path_factory, text: str):
    path = tmp_path_factory.mktemp("labs") / "fuzz.toml"
    path.write_text(text)
    try:
        return load_lab(path)
    except LabError as e:
        assert str(e).startswith(f"{path}: ") and "\n" not in str(e)
        return None


@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_fuzz_structured_lab_files(tmp_path_factory, data):
    text = "\n".join(f"{k} = {_toml(v)}" for k, v in data.items())
    tomllib.loads(text)                       # the strategy writes valid TOML
    load(tmp_path_factory, text)


@given(st.text(max_size=200))
def test_fuzz_any_text_as_a_lab_file(tmp_path_factory, text):
    load(tmp_path_factory, text)
