/** Thresholds from the user's own traffic: for a target strong-call share, a cost budget or a target quality. */
package dev.routellm.calibration;
