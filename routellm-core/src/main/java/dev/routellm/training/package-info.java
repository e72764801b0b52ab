/** Training of predictors (matrix factorization, similarity-weighted ranking, kNN) on preference battles or per-question outcomes. */
package dev.routellm.training;
