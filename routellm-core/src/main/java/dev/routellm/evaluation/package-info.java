/** Evaluation of routers on labelled data: quality over strong-call share, PGR, APGR, CPT(x), k-fold cross-validation. */
package dev.routellm.evaluation;
