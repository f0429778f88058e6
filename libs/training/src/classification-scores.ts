/** What a classifier's probabilities score against the true classes. */
export interface ClassificationScores {
  /** Mean cross-entropy, with probabilities clipped to [1e-7, 1] as the training loss clips them. */
  loss: number;
  accuracy: number;
  /** The unweighted mean over classes of F1 (a class never predicted nor present scores 0). */
  macroF1: number;
  /** confusion[actual][predicted]: how many samples of each class went to each. */
  confusion: number[][];
}

/** Scores [samples, classes] probabilities against class ids; the predicted class is the most probable (the first on a tie). */
export function classificationScores(probabilities: ArrayLike<number>, targets: ArrayLike<number>, classCount: number): ClassificationScores {
  const confusion = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  let nll = 0;
  for (let i = 0; i < targets.length; i++) {
    const actual = targets[i];
    let predicted = 0;
    for (let c = 1; c < classCount; c++) if (probabilities[i * classCount + c] > probabilities[i * classCount + predicted]) predicted = c;
    confusion[actual][predicted] += 1;
    nll -= Math.log(Math.min(1, Math.max(1e-7, probabilities[i * classCount + actual])));
  }
  let correct = 0;
  let f1Sum = 0;
  for (let c = 0; c < classCount; c++) {
    correct += confusion[c][c];
    const predictedAs = confusion.reduce((n, row) => n + row[c], 0);
    const actuallyIs = confusion[c].reduce((n, v) => n + v, 0);
    f1Sum += predictedAs + actuallyIs === 0 ? 0 : (2 * confusion[c][c]) / (predictedAs + actuallyIs);
  }
  const count = Math.max(1, targets.length);
  return { loss: nll / count, accuracy: correct / count, macroF1: f1Sum / classCount, confusion };
}
