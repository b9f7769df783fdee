import json

from typer.testing import CliRunner

from pipelines.cli.app import app


def test_analyze_text_lines_and_jsonl(seeded_db):
    db = str(seeded_db)
    lines = ("A universal legally binding convention on information security is needed now.\n"
             "\n"
             "Ransomware attacks against hospitals must stop.\n")
    result = CliRunner().invoke(app, ["analyze-text", "--db", db], input=lines)
    assert result.exit_code == 0, result.output
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(documents) == 2
    first, second = documents
    assert set(first) == {"text", "issues", "tags", "stance", "language"}
    assert "binding_instrument" in first["tags"] and first["stance"]["binding_instrument"] > 0
    assert "ransomware" in second["tags"] and second["language"] == "en"
    assert all(v is None for k, v in second["stance"].items() if k not in second["tags"])

    jsonl = json.dumps({"text": "Le droit international humanitaire s'applique."}) + "\n"
    result = CliRunner().invoke(app, ["analyze-text", "--db", db, "--jsonl"], input=jsonl)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["language"] == "fr"


def test_analyze_text_rejects_bad_jsonl(tmp_path):
    result = CliRunner().invoke(app, ["analyze-text", "--db", str(tmp_path / "c.duckdb"),
                                      "--jsonl"], input='{"text": "ok"}\nnot json\n')
    assert result.exit_code == 1
    assert "stdin line 2: not valid JSON" in result.output


def test_analyze_text_explain_names_the_deciding_sentence(seeded_db):
    text = ("Thank you, Chair. Some delegations call for a new legally binding convention on "
            "information security. We do not share that view. Existing international law, "
            "including the UN Charter, already applies in cyberspace.")
    spanish = ("Cuba apoya la elaboración de un instrumento jurídicamente vinculante sobre la "
               "seguridad de las TIC en el marco de las Naciones Unidas.")
    lines = "\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in (text, spanish))
    result = CliRunner().invoke(app, ["analyze-text", "--db", str(seeded_db), "--jsonl",
                                      "--explain"], input=lines + "\n")
    assert result.exit_code == 0, result.output
    english, cuba = [json.loads(line) for line in result.stdout.splitlines()]
    assert english["stance"]["binding_instrument"] < 0
    why = english["explain"]["binding_instrument"]
    assert why["sentence"] in text and why["role"] in {"rejects_previous", "own"}
    assert set(english["explain"]) == {k for k, v in english["stance"].items() if v is not None}
    assert cuba["language"] == "es" and cuba["stance"]["binding_instrument"] > 0
    # without --explain the contract is unchanged
    plain = CliRunner().invoke(app, ["analyze-text", "--db", str(seeded_db)], input=text + "\n")
    assert set(json.loads(plain.stdout)) == {"text", "issues", "tags", "stance", "language"}
