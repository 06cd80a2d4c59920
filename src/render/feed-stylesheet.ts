/**
 * XSLT 1.0 that turns an RSS 2.0 or Atom feed opened in a browser into a
 * readable page (a browser applies it through the `<?xml-stylesheet?>`
 * instruction; feed readers ignore it). It shows titles, dates and
 * summaries as text only: `disable-output-escaping`, which showing the HTML
 * content would need, is not supported by Firefox. Kept as a module, not a
 * file read at build time, because renderers do no I/O.
 */
export const FEED_STYLESHEET_PATH = "feed.xsl";

export const FEED_STYLESHEET = `<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="rss/channel/title | atom:feed/atom:title"/>
    <xsl:variable name="lang" select="rss/channel/language | atom:feed/@xml:lang"/>
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <style>
          body { font: 16px/1.6 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
          .about { background: #f4f4f0; border-radius: 6px; padding: .75rem 1rem; }
          li { margin: 1.25rem 0; list-style: none; }
          time { color: #666; font-size: .9em; }
          ul { padding: 0; }
        </style>
      </head>
      <body>
        <p class="about">This is a web feed. Copy its address into a feed reader to subscribe.</p>
        <h1><xsl:value-of select="$title"/></h1>
        <p><xsl:value-of select="rss/channel/description | atom:feed/atom:subtitle"/></p>
        <ul>
          <xsl:apply-templates select="rss/channel/item | atom:feed/atom:entry"/>
        </ul>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <a href="{link}"><xsl:value-of select="title"/></a><br/>
      <time><xsl:value-of select="pubDate"/></time>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <a href="{atom:link[not(@rel) or @rel = 'alternate']/@href}"><xsl:value-of select="atom:title"/></a><br/>
      <time><xsl:value-of select="atom:published"/></time>
      <p><xsl:value-of select="atom:summary"/></p>
    </li>
  </xsl:template>
</xsl:stylesheet>
`;
