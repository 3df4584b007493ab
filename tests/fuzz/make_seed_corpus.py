#!/usr/bin/env python3
"""Writes the seed corpora of the new fuzz targets (tests/fuzz/corpus/*); run once, committed.

tokenizer_json: the Qwen tokenizer.json cut to its first 400 tokens and 150 merges (same
  normalizer, pre-tokenizer and decoder), with and without added tokens, and a Llama-3 regex.
dataset: GSM8K lines and lists from data/gsm8k, plus rows of the other tasks' shapes.
checkpoint_record: rows laid out as store/schema.h's SampleRow/ResponseRow (native x86-64).
"""
import ctypes
import json
import pathlib

root = pathlib.Path(__file__).resolve().parents[2]
corpus = root / "tests" / "fuzz" / "corpus"

# tokenizer.json
full = json.loads((root / "data/tokenizers/qwen/tokenizer.json").read_text())
small = dict(full)
small["model"] = dict(full["model"])
small["model"]["vocab"] = {k: v for k, v in full["model"]["vocab"].items() if v < 400}
small["model"]["merges"] = [m for m in full["model"]["merges"][:150]
                            if all(p in small["model"]["vocab"] for p in m)]
small["added_tokens"] = [dict(a, id=400 + i) for i, a in enumerate(full["added_tokens"][:4])]
out = corpus / "tokenizer_json"
(out / "qwen_small.json").write_text(json.dumps(small, ensure_ascii=False))
(out / "qwen_small_no_added.json").write_text(json.dumps(dict(small, added_tokens=[]), ensure_ascii=False))
llama = json.loads(json.dumps(small))
llama["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = (
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
    "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")
(out / "llama_regex_small.json").write_text(json.dumps(llama, ensure_ascii=False))

# dataset: the first byte picks the task (tasks in all_tasks() order) and --test_k.
out = corpus / "dataset"
lines = (root / "data/gsm8k/test_socratic.jsonl").read_text().splitlines()[:3]
rows = [json.loads(l) for l in lines]
(out / "gsm8k_lines").write_bytes(b"\x00" + "\n".join(lines).encode() + b"\n\n")
(out / "gsm8k_list").write_bytes(b"\x00" + json.dumps(rows, indent=1).encode())
for task in range(1, 5):
    shaped = [{"question": "Q%d?" % i, "answer": ["A", "yes", "12", "B"][task - 1],
               "correct": "C", "options": ["A)1", "B)2", "C)3"], "label": True,
               "facts": ["f"], "body": "b", "equation": "1+1", "Answer": "3"} for i in range(3)]
    (out / ("task%d_list" % task)).write_bytes(bytes([task]) + json.dumps(shaped).encode())

# checkpoint_record: [flags][response rows][SampleRow][ResponseRow...][text]
class SampleRow(ctypes.Structure):
    _fields_ = [("idx", ctypes.c_int64), ("status", ctypes.c_char * 24), ("is_correct", ctypes.c_uint8),
                ("ground_truth", ctypes.c_char * 64), ("model_answer", ctypes.c_char * 64),
                ("started_unix_ms", ctypes.c_int64), ("finished_unix_ms", ctypes.c_int64),
                ("committed_unix_ms", ctypes.c_int64), ("base_prompt_tokens", ctypes.c_int32),
                ("assistant_prompt_tokens", ctypes.c_int32), ("generated_tokens", ctypes.c_int32),
                ("assistant_seconds", ctypes.c_double), ("generation_seconds", ctypes.c_double),
                ("attempts", ctypes.c_int32), ("crash_signal", ctypes.c_int32), ("pid", ctypes.c_int32),
                ("host", ctypes.c_char * 64), ("slurm_job_id", ctypes.c_char * 24),
                ("slurm_array_job_id", ctypes.c_char * 24), ("slurm_array_task_id", ctypes.c_int32),
                ("response_first", ctypes.c_uint64), ("response_count", ctypes.c_uint32),
                ("text_offset", ctypes.c_uint64), ("ground_truth_length", ctypes.c_uint32),
                ("model_answer_length", ctypes.c_uint32), ("error_length", ctypes.c_uint32),
                ("crc32", ctypes.c_uint32)]

class ResponseRow(ctypes.Structure):
    _fields_ = [("text_offset", ctypes.c_uint64), ("text_length", ctypes.c_uint32),
                ("answer_length", ctypes.c_uint32), ("generated_tokens", ctypes.c_int32)]

out = corpus / "checkpoint_record"
for name, texts in {"two_responses": ["The answer is 4.", "4"], "no_responses": []}.items():
    gt, ans, err = b"4", b"4", b""
    text = gt + ans + err
    responses = []
    for i in range(0, len(texts), 2):
        t, a = texts[i].encode(), texts[i + 1].encode()
        responses.append(ResponseRow(len(text), len(t), len(a), 7))
        text += t + a
    row = SampleRow(idx=3, status=b"success", is_correct=1, ground_truth=gt, model_answer=ans,
                    attempts=1, pid=42, host=b"node1", slurm_array_task_id=-1, response_first=0,
                    response_count=len(responses), text_offset=0, ground_truth_length=len(gt),
                    model_answer_length=len(ans), error_length=len(err))
    blob = bytes([1, len(responses)]) + bytes(row) + b"".join(bytes(r) for r in responses) + text
    (out / name).write_bytes(blob)
