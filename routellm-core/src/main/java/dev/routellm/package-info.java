/** Exceptions shared by the whole library. */
package dev.routellm;
