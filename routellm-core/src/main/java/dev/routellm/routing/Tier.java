package dev.routellm.routing;

/** Which of a router's two models. */
public enum Tier {
  /** The expensive, more capable model. */
  STRONG,
  /** The cheap model. */
  WEAK;

  /** The other tier. */
  public Tier other() {
    return this == STRONG ? WEAK : STRONG;
  }
}
