package io.pixartdelta.worker.render;

import io.pixartdelta.pixart.control.ControlMapKind;
import io.pixartdelta.pixart.schedulers.SchedulerKind;
import io.pixartdelta.schemas.ControlType;
import io.pixartdelta.schemas.Sampler;

/**
 * Where the job's wire enums (the schemas module, the public contract) meet the model library's own
 * types; nothing else in the worker converts between them. Wire strings are parsed once, by the job
 * codec; unknown values never get this far (the codec rejects the job with {@code schema-invalid}).
 * The switches have no default, so a value added to a wire enum does not compile until it is mapped
 * here.
 */
final class ModelTypes {
  private ModelTypes() {}

  /** The scheduler that runs a job's sampler. */
  static SchedulerKind scheduler(Sampler sampler) {
    return switch (sampler) {
      case LCM -> SchedulerKind.LCM;
      case DPM_SOLVER -> SchedulerKind.DPM_SOLVER;
    };
  }

  /** How a job's control image becomes an edge map. */
  static ControlMapKind controlMap(ControlType type) {
    return switch (type) {
      case EDGES -> ControlMapKind.EDGES;
      case HED -> ControlMapKind.HED;
      case CANNY -> ControlMapKind.CANNY;
    };
  }
}
