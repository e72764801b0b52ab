/** Win-rate predictors: what a predictive router scores prompts with. */
package dev.routellm.prediction;
