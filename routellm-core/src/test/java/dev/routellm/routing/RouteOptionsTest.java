package dev.routellm.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteOptionsTest {
  @Test
  void allowedModels_noneNamed_isAnErrorNotEveryModel() {
    assertThatThrownBy(() -> RouteOptions.builder().allowedModels())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allowedModels must name at least one model but named none; to allow every model of the pool, do"
            + " not set it");
    assertThatThrownBy(() -> RouteOptions.builder().allowedModels(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("allowedModels must name at least one model");
  }

  @Test
  void allowedModels_blankName_isAnErrorAndUnsetMeansEveryModel() {
    assertThatThrownBy(() -> RouteOptions.builder().allowedModels("gpt-4o", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("allowed model names must not be blank but one was ' '");
    assertThat(RouteOptions.defaults().allowedModels()).isEmpty();
    RouteOptions ab = RouteOptions.builder().allowedModels("a", "b").build();
    assertThat(ab.allowedModels()).containsExactlyInAnyOrder("a", "b");
    RouteOptions.Builder b = ab.toBuilder();
    assertThatThrownBy(() -> b.allowedModels("c", ""));
    assertThat(b.build().allowedModels()).as("a rejected call leaves the builder as it was")
        .containsExactlyInAnyOrder("a", "b");
    assertThat(b.allowAnyModel().build().allowedModels()).isEmpty();
  }
}
