// yt-dlp's output as the tests read it, shared with the fuzz targets' seeds (fuzz/seeds.cpp).
#pragma once

namespace vfb::test {

/// A YouTube video's media.info.json, trimmed; "%MEDIA%" stands for the media file's path.
inline constexpr const char* youtube_info = R"({
  "id": "dQw4w9WgXcQ", "title": "A talk about volcanoes", "extractor": "youtube",
  "extractor_key": "Youtube", "uploader": "Science Channel", "uploader_id": "@science",
  "uploader_url": "https://www.youtube.com/@science", "channel_id": "UCabcdefghijklmnopqrstuv",
  "channel_url": "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv",
  "webpage_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "upload_date": "20260301",
  "timestamp": 1772366400, "duration": 212.5, "live_status": "not_live",
  "availability": "public", "subtitles": {"en": [{"ext": "vtt"}]},
  "automatic_captions": {"en-orig": [{"ext": "vtt"}], "de": [{"ext": "vtt"}]},
  "requested_downloads": [{"filepath": "%MEDIA%"}]
})";

} // namespace vfb::test
