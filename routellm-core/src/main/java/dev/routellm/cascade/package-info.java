/** Confidence cascades (Alamere): ask the weak model first, turn its answer into a calibrated confidence, escalate when it is low. */
package dev.routellm.cascade;
