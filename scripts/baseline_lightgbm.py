"""Baseline check: LightGBM on the same feature matrix as the refiner's MLP.

Not part of `npm test`. Reproduce (docs/QUALITY.md):

    pip install lightgbm==4.7.0 pandas scikit-learn
    npm run quality            # writes target/features-{train,eval}.csv and target/quality/evaluation.json
    python3 scripts/baseline_lightgbm.py target/features-train.csv target/features-eval.csv target/quality/evaluation.json

The CSVs come from `refiner export` (features exactly as the model sees them, labels, route, the
rules' conclusion). One binary LightGBM per threat, trained on the training corpus with 20% held
out for early stopping; AUC on the evaluation corpus, next to the refiner's AUC on the same rows.
"""

import json
import sys

import lightgbm as lgb
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

THREATS = ["bot", "attack", "abuse"]
PARAMS = dict(n_estimators=2000, learning_rate=0.05, num_leaves=63, min_child_samples=20, subsample=0.8, subsample_freq=1, colsample_bytree=0.8, verbose=-1, random_state=1)


def main(train_csv: str, eval_csv: str, evaluation_json: str) -> None:
    train = pd.read_csv(train_csv)
    test = pd.read_csv(eval_csv)
    features = [c for c in train.columns if not c.startswith("label_") and c not in ("route", "rules_conclusion")]
    refiner = {h["threat"]: h["auc"] for h in json.load(open(evaluation_json))["heads"]}
    print(f"{len(features)} features, {len(train)} training rows, {len(test)} evaluation rows\n")
    print("| threat | LightGBM AUC | refiner MLP AUC | difference | LightGBM trees |")
    print("|---|---:|---:|---:|---:|")
    for t in THREATS:
        y = train[f"label_{t}"]
        x_fit, x_stop, y_fit, y_stop = train_test_split(train[features], y, test_size=0.2, random_state=1, stratify=y)
        model = lgb.LGBMClassifier(**PARAMS)
        model.fit(x_fit, y_fit, eval_X=(x_stop,), eval_y=(y_stop,), eval_metric="auc", callbacks=[lgb.early_stopping(50, verbose=False)])
        auc = roc_auc_score(test[f"label_{t}"], model.predict_proba(test[features])[:, 1])
        print(f"| {t} | {auc:.4f} | {refiner[t]:.4f} | {refiner[t] - auc:+.4f} | {model.best_iteration_} |")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
