/** Pricing of model calls and running cost totals. */
package dev.routellm.cost;
