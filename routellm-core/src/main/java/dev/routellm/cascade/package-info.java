/**
 * Confidence cascades (Alamere): ask the weak model first, turn its answer into a calibrated confidence, escalate
 * when it is low.
 *
 * <ul>
 *   <li>{@link dev.routellm.cascade.ConfidenceModel}: what a cascade router ({@code Router.builder().cascade(...)})
 *       judges answers with; {@link dev.routellm.cascade.LogprobConfidenceModel} from token log-probabilities (OLS as
 *       Alamere, logistic, isotonic), {@link dev.routellm.cascade.AnswerConfidenceModel} from the answer's text with
 *       pluggable {@link dev.routellm.cascade.AnswerCheck}s, for endpoints without log-probabilities. Saved to and
 *       loaded from versioned JSON files.
 *   <li>{@link dev.routellm.cascade.CalibrationReport}: binned r² (Alamere's definition), AUROC and Brier score.
 *   <li>{@link dev.routellm.cascade.TradeOff}: share escalated, expected accuracy and cost per threshold, and the
 *       threshold for a target accuracy or a budget, from a {@link dev.routellm.cascade.CascadeDataFile}.
 * </ul>
 */
package dev.routellm.cascade;
