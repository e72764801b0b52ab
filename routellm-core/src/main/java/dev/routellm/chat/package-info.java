/** Requests, responses, token log-probabilities and the model backend interface. */
package dev.routellm.chat;
