#!/usr/bin/env python3
"""Builds the `clinc150` evaluation set from CLINC150's `data/data_full.json`.

    python3 make-clinc150.py path/to/oos-eval/data/data_full.json path/to/oos-eval/data/domains.json

Same shape as the banking77 set: one article per intent of the six domains whose
intents are questions a help centre answers (banking, credit cards, travel, work,
auto and commute, kitchen and dining; not small talk, commands to an assistant,
utilities or smart-home requests), titled by the intent's name, with the first three
training utterances as its alternative questions; the shopper queries are the test
split's utterances of those intents. Out-of-scope utterances are left out: the
metrics measure finding the right article, not declining.

Source: Larson et al., "An Evaluation Dataset for Intent Classification and
Out-of-Scope Prediction" (EMNLP 2019), https://github.com/clinc/oos-eval, CC BY 3.0.
"""
import csv
import json
import os
import sys

DOMAINS = ["banking", "credit_cards", "travel", "work", "auto_and_commute", "kitchen_and_dining"]
QUESTIONS = 3
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clinc150")


def main(data_path, domains_path):
    data = json.load(open(data_path))
    domains = json.load(open(domains_path))
    intents = [i for d in DOMAINS for i in domains[d]]
    domain_of = {i: d for d in DOMAINS for i in domains[d]}
    train = {}
    for text, intent in data["train"]:
        train.setdefault(intent, []).append(text)
    os.makedirs(os.path.join(OUT, "faq"), exist_ok=True)
    with open(os.path.join(OUT, "faq.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "body", "category", "tags", "questions", "pages", "locale"])
        for intent in intents:
            ident = intent.replace("_", "-")
            title = intent.replace("_", " ").capitalize()
            category = domain_of[intent].replace("_", " ").capitalize()
            questions = train[intent][:QUESTIONS]
            w.writerow([ident, title, title + ".", category, "", "|".join(questions), "", "en"])
            with open(os.path.join(OUT, "faq", ident + ".md"), "w") as md:
                md.write("---\n")
                md.write(f"id: {ident}\n")
                md.write(f"title: {json.dumps(title)}\n")
                md.write(f"category: {json.dumps(category)}\n")
                md.write("locale: en\n")
                md.write("questions:\n")
                for q in questions:
                    md.write(f"  - {json.dumps(q)}\n")
                md.write("---\n")
                md.write(title + ".\n")
    with open(os.path.join(OUT, "queries-dev.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["query", "expected_id"])
        for text, intent in data["test"]:
            if intent in domain_of:
                w.writerow([text, intent.replace("_", "-")])


if __name__ == "__main__":
    main(*sys.argv[1:3])
