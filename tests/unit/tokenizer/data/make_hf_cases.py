"""Writes hf_cases.jsonl: expected encodings and decodings from HF `tokenizers` (the
reference implementation), for the edge cases the shared encode_cases.jsonl does not
reach: Unicode white space and digits, the long-s contraction, long pieces, added tokens
in text, random mixtures, and decoding of cut UTF-8 and special tokens.

    python3 make_hf_cases.py /work/shared/data/tokenizers > hf_cases.jsonl
"""
import json
import random
import sys

import tokenizers
from tokenizers import Tokenizer

root = sys.argv[1]
rng = random.Random(20240601)

ALPHABET = (list("abcXYZ019 '\"\n\r\t.,!?-_$%()") + [" "] * 6 + list("sStTdDmMlLrReEvV")
            + ["\u00a0", "\u3000", "\u2028", "\u2029", "\u0085", "\u200b", "\u1680", "\u000b", "\u000c",
               "中", "文", "é", "e\u0301", "\u017f", "\u212a", "٣", "²", "Ⅻ", "ʰ", "😀", "👍🏽", "\u200d",
               "ß", "İ", "ﬁ", "’", "—", "€", "\U0001d7d8", "\U00020000", "<", "|", ">"])

FIXED = [
    "'ſ 'S 'Ll 'RE x'ſt 'VE 'M 'D don'T",
    "a \u00a0\u00a0b  \n  x",
    "\u3000\u3000中 \u2028\u2029x\u0085y",
    "x\r\n\r\n\t y  ",
    "  \n\n  \t\r  end \u00a0",
    "supercalifragilisticexpialidocious" * 3,
    "中华人民共和国中华人民共和国中华人民共和国中华人民共和国",
    "0123456789" * 5,
    "Ⅻ² ٣٤٥ \U0001d7d8\U0001d7d9",
    "e\u0301e\u0301 A\u030a \u1e9b\u0323",
    "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|><|im_end|><|endoftext|>",
    "text<think>inner</think> tail </tool_call>",
    "<|im_start <|im_end| <|endoftext|x <|box_start|>x<|box_end|>",
    "<|begin_of_text|>Hello<|eot_id|> <|start_header_id|>",
    "",
    " ",
    "\n",
    "!!!???...,,,;;;:::",
    " !!! ??\n\n",
    "$\\boxed{42}$. I hope it is correct.",
    # Letters new in Unicode 15.1/16.0 (HF's regex engine knows them, ICU 72 does not).
    "(\U00013a8e[E! \U0002ebf0\U0002ebf1x \U00016d73a",
]


def random_text():
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40)))


def random_code_point():
    """Anywhere in Unicode but the surrogates: unassigned, private use and new characters too."""
    while True:
        cp = rng.choice([rng.randint(0x20, 0x3000), rng.randint(0x3000, 0xFFFF), rng.randint(0x10000, 0x3FFFF)])
        if not 0xD800 <= cp < 0xE000:
            return chr(cp)


def random_unicode_text():
    return "".join(rng.choice(ALPHABET) if rng.random() < 0.5 else random_code_point()
                   for _ in range(rng.randint(1, 40)))


def main():
    out = sys.stdout
    for name in ["qwen3", "llama3_1"]:
        tok = Tokenizer.from_file(f"{root}/{name}/tokenizer.json")
        texts = FIXED + [random_text() for _ in range(400)] + [random_unicode_text() for _ in range(200)]
        for text in texts:
            ids = tok.encode(text, add_special_tokens=False).ids
            out.write(json.dumps({"tokenizer": name, "text": text, "ids": ids}, ensure_ascii=False) + "\n")
        vocab = tok.get_vocab_size()
        specials = [151643, 151644, 151645, 151665] if name == "qwen3" else [128000, 128001, 128009]
        for _ in range(150):
            ids = [rng.randrange(vocab) for _ in range(rng.randint(0, 6))]
            ids += rng.sample(specials, rng.randint(0, 2))
            if rng.random() < 0.2:
                ids.append(vocab + 1000)  # outside the vocabulary: skipped
            rng.shuffle(ids)
            for skip in (False, True):
                out.write(json.dumps({"tokenizer": name, "decode_ids": ids, "skip_special_tokens": skip,
                                      "decoded": tok.decode(ids, skip_special_tokens=skip)},
                                     ensure_ascii=False) + "\n")
        # A character cut between tokens, and bytes that are never valid UTF-8.
        emoji = tok.encode("😀👍🏽", add_special_tokens=False).ids
        byte_ids = [tok.token_to_id(s) for s in ["ð", "Ł", "Ĳ", "ĺ", "Ģ", "Ã"]]
        for ids in [emoji[:1], emoji[1:], byte_ids, byte_ids[::-1], [byte_ids[0], 16, byte_ids[5]]]:
            out.write(json.dumps({"tokenizer": name, "decode_ids": ids, "skip_special_tokens": False,
                                  "decoded": tok.decode(ids, skip_special_tokens=False)},
                                 ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.stderr.write(f"tokenizers {tokenizers.__version__}\n")
    main()
