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
  "requested_downloads": [{"filepath": "%MEDIA%"}],
  "description": "How lava and ash shape the land.\n\n00:00 Intro\n00:42 Lava flows\n\nSubscribe: https://www.youtube.com/@science?sub_confirmation=1\n#volcano #geology",
  "tags": ["volcano", "lava", "geology", 42, ""],
  "chapters": [{"start_time": 0.0, "title": "Intro", "end_time": 42.0},
               {"start_time": 42.0, "title": "Lava flows", "end_time": 212.5},
               {"start_time": 212.5, "end_time": 212.5}]
})";

} // namespace vfb::test
