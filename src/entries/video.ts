/**
 * `ferkit/video`: emotions over time in video files, streams and cameras
 * (ffmpeg): timelines, changes, faces followed between detector passes,
 * annotated copies.
 */
export {
  analyzeVideo,
  VideoTimeline,
  type VideoOptions,
  type VideoSummary,
  type TimelineEntry,
  type FaceSummary,
  type ChangeMoment,
} from '../video/analyze.js';
export { findChanges, ChangeFinder, type ChangeOptions } from '../video/changes.js';
export { frameRecord, smoothedFace, type FrameRecord } from '../video/records.js';
export { readFrames, probeVideo, videoSource, type Frame, type VideoInfo, type VideoSource } from '../video/source.js';
export { AnnotatedVideoWriter } from '../video/writer.js';
export { emotionPlotSvg, writeEmotionPlot, roundTicks, timeLabel } from '../video/plot.js';
export { escapeXml } from '../core/markup.js';
export type { VideoTracking } from '../video/frame-faces.js';
export { timelineAgreement, type TimelineAgreement } from '../video/agreement.js';
export { FaceTracker, iou, type TrackerOptions } from '../core/face/tracker.js';
export {
  FaceFollower,
  FOLLOW_METHODS,
  type FaceReader,
  type FollowOptions,
  type FollowedFace,
  type FollowedFrame,
  type FaceOrigin,
  type FollowMethod,
  type FollowCounts,
  type SearchReason,
} from '../core/track/follow.js';
export { layoutAnnotations, overlaySvg, type AnnotationLayout, type FaceLayout } from '../draw/annotate.js';
