"""The births anchor (../shared/anchors/optuna_torch_births.py, unchanged) on Tuneforge's current preprocessing.

The shared anchor was written before Tuneforge kept a test split and forecast the change from the seasonal-naive
value: it trains on the first 80% of the rows and models the standardised level. Tuneforge now splits the rows
70/20/10 (train, validation, test: `timeSplit` in libs/formats/src/windowing.ts) and its model outputs the change
from the value a season (7 rows) earlier, standardised with the training rows' changes
(`forecastPreprocessingOf` / `encodeOutputs` in libs/formats/src/series-encoding.ts). This wrapper replaces only
the anchor's `load_births` with a line-by-line port of that, so both systems pick on the same validation rows with
the same metric (val_mae in births/day); Optuna, TPE, successive halving, the PyTorch model and its training are
the anchor's own. With a seasonal-difference target, |prediction - target| x std is the error in births/day, as
the anchor computes it.

Usage (from the project root, as the anchor): /usr/bin/python3 bench/anchors/optuna_torch_births_split.py --seed S
Env ANCHORS_DIR: where the shared anchors are (default ../shared/anchors from the project root).
"""
import math
import os
import sys

import numpy as np

VALIDATION_SPLIT, TEST_SPLIT, SEASON = 0.2, 0.1, 7

sys.path.insert(0, os.environ.get("ANCHORS_DIR") or os.path.join(os.getcwd(), "..", "shared", "anchors"))
import optuna_torch_births as anchor  # noqa: E402


def load_births(path):
    """forecastData(usBirthsSeries(), {window 14, horizon 1, validationSplit 0.2, testSplit 0.1, output seasonal-difference})."""
    import json

    with open(path) as f:
        rows = json.load(f)
    births = [float(r["births"]) for r in rows]
    length = len(births)
    # timeSplit: validationEnd = round(length * (1 - test)), trainEnd = round(length * (1 - test - validation)).
    validation_end = anchor.js_round(length * (1 - TEST_SPLIT))
    train_end = anchor.js_round(length * (1 - TEST_SPLIT - VALIDATION_SPLIT))
    window, horizon = anchor.WINDOW, anchor.HORIZON
    train_starts = anchor.window_starts(window, horizon, 0, train_end)
    val_starts = anchor.window_starts(window, horizon, train_end, validation_end)
    # Inputs: births standardised on the training rows; sin/cos of the UTC day of week (Date.getUTCDay: Sunday 0;
    # the package's day_of_week is Monday 1 .. Sunday 7) and of the month (getUTCMonth: 0..11).
    mean, std = anchor.standardiser_of(births, 0, train_end)
    angle = lambda value, period: 2 * math.pi * value / period
    dow = [r["day_of_week"] % 7 for r in rows]
    month = [r["month"] - 1 for r in rows]
    columns = np.stack(
        [
            (np.asarray(births) - mean) / std,
            np.asarray([math.sin(angle(d, 7)) for d in dow]),
            np.asarray([math.cos(angle(d, 7)) for d in dow]),
            np.asarray([math.sin(angle(m, 12)) for m in month]),
            np.asarray([math.cos(angle(m, 12)) for m in month]),
        ],
        axis=1,
    )
    # Output: the change from the value a season earlier, standardised with the training rows' changes.
    changes = [births[i + SEASON] - births[i] for i in range(train_end - SEASON)]
    change_mean, change_std = anchor.standardiser_of(changes, 0, len(changes))
    target = np.zeros(length)
    target[SEASON:] = ((np.asarray(births[SEASON:]) - np.asarray(births[:-SEASON])) - change_mean) / change_std

    def build(starts):
        starts = np.asarray(starts)
        x = columns[starts[:, None] + np.arange(window)[None, :]].astype(np.float32)
        y = target[starts[:, None] + window + np.arange(horizon)[None, :]].astype(np.float32)
        return x, y

    train_x, train_y = build(train_starts)
    val_x, val_y = build(val_starts)
    return dict(
        train_x=train_x, train_y=train_y, val_x=val_x, val_y=val_y, mean=change_mean, std=change_std,
        seasonal_naive_val_mae=anchor.seasonal_naive_mae(births, val_starts, window, horizon), path=path,
    )


# At module level, not under __main__: the anchor's workers are spawned interpreters that import this file as
# __mp_main__ and then resolve anchor.worker_main, which must find the replaced loader.
anchor.load_births = load_births

if __name__ == "__main__":
    anchor.main()
