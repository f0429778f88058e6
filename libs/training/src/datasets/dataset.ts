import type * as tf from '@tensorflow/tfjs';
import type { ForecastPreprocessing, SeriesClassifyPreprocessing, Standardiser, TextClassifyPreprocessing, TextPreprocessing } from '@tuneforge/formats';

/**
 * Samples ready for training, split in time order: train, validation (epochs, pruning and ranking
 * select on it) and test (scored once per trial, on the model it hands over). Tensors are shared
 * read-only between trials.
 */
export interface ForecastData {
  task: 'forecast';
  /** [samples, window, features] */
  trainX: tf.Tensor3D;
  /** [samples, horizon], standardised */
  trainY: tf.Tensor2D;
  valX: tf.Tensor3D;
  valY: tf.Tensor2D;
  testX: tf.Tensor3D;
  testY: tf.Tensor2D;
  featureCount: number;
  horizon: number;
  /** The scale of the model's outputs (preprocessing.output's): an output error times its std is an error in the target's units. */
  target: Standardiser;
  /** MAE of "the value 7 days earlier" on the same validation targets, in the target's units. */
  seasonalNaiveMae: number;
  /** The same on the test targets. */
  seasonalNaiveTestMae: number;
  /** How the inputs were made from the raw columns: what an exported model carries. */
  preprocessing: ForecastPreprocessing;
}

/**
 * Character-id samples in the three splits: x [samples, steps] ids, y [samples] the id of the next character
 * (text) or of the class (classify), float32 as the sparse cross-entropy loss wants.
 */
interface IdSamples {
  trainX: tf.Tensor2D;
  trainY: tf.Tensor1D;
  valX: tf.Tensor2D;
  valY: tf.Tensor1D;
  testX: tf.Tensor2D;
  testY: tf.Tensor1D;
  /** Ids are indices into this list. */
  vocabulary: string[];
}

/** Windows of a corpus, each followed by the character to predict. */
export interface TextData extends IdSamples {
  task: 'text';
  preprocessing: TextPreprocessing;
}

interface ClassifyCommon {
  task: 'classify';
  classes: string[];
  /** The majority class's (and for texts the bag-of-characters model's) accuracy and macro-F1 on validation and test, named as metrics. */
  baselines: Record<string, number>;
}

/** Texts with a class each, as character ids (0: padding), padded in front to one length. */
export interface TextClassifyData extends IdSamples, ClassifyCommon {
  input: 'characters';
  preprocessing: TextClassifyPreprocessing;
}

/** Sequences of feature rows with a class each: [samples, steps, features], standardised, padded in front with zeros. */
export interface SeriesClassifyData extends ClassifyCommon {
  input: 'series';
  trainX: tf.Tensor3D;
  trainY: tf.Tensor1D;
  valX: tf.Tensor3D;
  valY: tf.Tensor1D;
  testX: tf.Tensor3D;
  testY: tf.Tensor1D;
  featureCount: number;
  preprocessing: SeriesClassifyPreprocessing;
}

export type ClassifyData = TextClassifyData | SeriesClassifyData;

export type TrainingData = ForecastData | TextData | ClassifyData;

