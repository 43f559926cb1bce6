// The demo channel's videos: what each says, its title and the words it is about. Shared by
// vfb-demo-channel (which speaks them) and transcribe_bench (which measures how many of each
// video's own words the recogniser gets).
#pragma once

#include <string>
#include <vector>

namespace vfb::test::demo {

struct topic {
  const char* slug;
  const char* title;
  const char* text;                  // 6-12 s of speech
  std::vector<std::string> keywords; // spoken in `text`; the first is the one to search for
  const char* description;           // the uploader's; the keywords are the video's tags
};

// Plain, common words, the first keyword said at least twice, so that a demo's search finds
// it. The videos are spoken by flite's rms voice (test::synth_video); the recogniser is biased
// by each video's title, tags and description (transcribe_bench, synth set).
// The demo test checks the first video.
inline const std::vector<topic>& topics() {
  static const std::vector<topic> all{
      {"volcanoes",
       "Volcanoes and lava",
       "A volcano is a mountain of fire. Hot lava flows down the volcano and the lava cools "
       "into black rock. Ash from the volcano can cover a city.",
       {"volcano", "lava", "ash"},
       "Why volcanoes erupt, where the lava goes and how far the ash travels."},
      {"submarines",
       "Life on a submarine",
       "A submarine dives deep under the ocean. The crew of the submarine lives in small rooms "
       "for months. Sonar helps them find their way in the dark.",
       {"submarine", "ocean", "crew"},
       "What daily life is like for a submarine crew deep under the ocean."},
      {"tornadoes",
       "Tornadoes and storms",
       "A tornado is a spinning column of wind. Tornadoes form in strong storms over the flat "
       "plains. The wind of a tornado can lift a car.",
       {"tornado", "wind", "storm"},
       "How tornadoes form in storms, and how strong their wind can be."},
      {"pyramids",
       "The pyramids of Egypt",
       "The pyramids of Egypt were built of stone blocks. Each pyramid was a tomb for a king. "
       "Thousands of workers moved the heavy stones.",
       {"pyramid", "egypt", "stone"},
       "Who built the pyramids of Egypt, and how they moved the stone."},
      {"marathons",
       "Running a marathon",
       "A marathon is a very long race. Runners train for months before the marathon. Drink "
       "water and keep a steady pace until the finish line.",
       {"marathon", "race", "runners"},
       "Training tips for your first marathon race."},
      {"windmills",
       "Windmills and wind power",
       "A windmill turns the power of the wind into work. Old windmills ground wheat into flour. "
       "New wind turbines make electricity.",
       {"windmill", "wind", "electricity"},
       "From old windmills to wind turbines: how we turn wind into electricity."},
      {"sourdough",
       "Baking sourdough bread",
       "Sourdough bread needs flour, water and salt. The starter makes the dough rise slowly. "
       "Bake the bread in a hot oven until the crust is dark.",
       {"bread", "dough", "flour", "oven"},
       "A simple sourdough bread: flour, water, salt and a hot oven."},
      {"bonsai",
       "Growing a bonsai tree",
       "A bonsai is a small tree in a pot. You trim the branches of the bonsai and water the "
       "tree every day. A bonsai can live for a hundred years.",
       {"bonsai", "tree", "branches"},
       "How to care for a bonsai tree: trimming the branches and watering."},
      {"saxophones",
       "Playing the saxophone",
       "The saxophone is a brass instrument played with a reed. Jazz bands love the saxophone. "
       "Practice your scales every day to play well.",
       {"saxophone", "jazz", "reed"},
       "First steps on the saxophone: the reed, scales and a little jazz."},
      {"chess-openings",
       "Chess openings for beginners",
       "In chess the opening matters. Move a pawn to the center, bring out the knight and the "
       "bishop, and castle early. Every chess player studies the opening.",
       {"opening", "chess", "knight", "pawn"},
       "The first moves of a chess game: pawn, knight, bishop and castling."},
      {"glaciers",
       "Glaciers and ice",
       "A glacier is a river of ice. The glacier moves slowly down the valley and carves the "
       "rock. Many glaciers are melting as the climate gets warmer.",
       {"glaciers", "glacier", "ice", "valley"},
       "How glaciers move, carve valleys and melt."},
      {"octopus",
       "The clever octopus",
       "An octopus has eight arms and three hearts. The octopus can change color to hide from "
       "sharks. It is one of the smartest animals in the sea.",
       {"arms", "octopus", "color"},
       "Eight arms, three hearts and a skin that changes color: meet the octopus."},
      {"honeybees",
       "How honeybees make honey",
       "Honeybees visit flowers to collect nectar. Back in the hive the bees turn nectar into "
       "honey. One hive of honeybees can make a lot of honey.",
       {"honey", "bees", "hive", "nectar"},
       "How bees turn nectar into honey in the hive."},
      {"lighthouses",
       "Lighthouses on the coast",
       "A lighthouse stands on the rocky coast. At night the lighthouse lamp turns and warns "
       "ships away from the rocks. The keeper climbs the stairs every evening.",
       {"lighthouse", "ships", "coast"},
       "The lighthouse keeper's work, guiding ships along the coast."},
      {"comets",
       "Comets in the night sky",
       "A comet is a ball of ice and dust. When a comet comes near the sun it grows a long "
       "bright tail. Some comets return every few years.",
       {"comet", "tail", "sun"},
       "What a comet is made of, and why its tail points away from the sun."},
      {"coral-reefs",
       "Coral reefs under the sea",
       "A coral reef is full of fish. Coral grows in warm shallow water near the islands. The "
       "reef protects the beach from big waves.",
       {"coral", "reef", "fish"},
       "Life on a coral reef: fish, warm water and waves."},
      {"origami",
       "Folding paper origami",
       "Origami is the art of folding paper. With one square of paper you can fold a bird or a "
       "boat. Fold the paper carefully along each line.",
       {"paper", "fold", "bird"},
       "Fold a paper bird from one square sheet."},
      {"balloons",
       "Flying in a hot air balloon",
       "A hot air balloon rises when the air inside gets hot. The pilot lights a burner to "
       "climb. The balloon drifts with the wind over the fields.",
       {"balloon", "air", "pilot"},
       "How a hot air balloon pilot climbs and drifts with the air."},
      {"penguins",
       "Penguins of the south",
       "Penguins cannot fly but they swim very fast. A penguin catches fish in the cold water. "
       "Penguins live in large groups on the ice.",
       {"penguin", "swim", "cold"},
       "How penguins swim, catch fish and keep warm in the cold."},
      {"telescopes",
       "Looking through a telescope",
       "A telescope makes far away things look close. With a telescope you can see the moon and "
       "the planets. Big telescopes sit on high mountains.",
       {"telescope", "moon", "planets"},
       "What you can see through a telescope: the moon and the planets."},
  };
  return all;
}

/// The description on a video's page, as an uploader writes one: what the video is about, then
/// what every video of the channel says.
inline std::string page_description(const topic& t) {
  return std::string{t.description} + "\n\nA new short video every week. Subscribe!";
}

} // namespace vfb::test::demo
